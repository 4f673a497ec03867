using Portolan.IntegrationTests.Support;

namespace Portolan.IntegrationTests;

/// <summary>
/// The operations Debian's aws CLI 2.9.19 does not know (DiscoverInstancesRevision, Get/Update/DeleteServiceAttributes),
/// with a second real client: the AWS SDK for JavaScript v3.
/// </summary>
public sealed class JsSdkTests(CloudMapServer server) : IClassFixture<CloudMapServer>
{
    private static JsSdk.Call Revision(string ns, string service) => new("DiscoverInstancesRevision", new { NamespaceName = ns, ServiceName = service });

    private static long RevisionOf(JsSdk.Result r) => r.Ensure().GetProperty("InstancesRevision").GetInt64();

    [Fact]
    public async Task Instances_revision_grows_on_register_and_deregister_but_not_on_health_changes()
    {
        var ns = CloudMapServer.Unique("rev");
        var nsId = await server.SeedHttpNamespaceAsync(ns);
        var serviceId = await server.SeedServiceAsync(nsId, "web", customHealth: true);
        var sdk = new JsSdk(server.Host.ApiUri) { DisableHostPrefix = true };

        var r = await sdk.RunAsync(
            Revision(ns, "web"),
            new("RegisterInstance", new { ServiceId = serviceId, InstanceId = "i-1", Attributes = new Dictionary<string, string> { ["v"] = "1" } }),
            Revision(ns, "web"),
            new("RegisterInstance", new { ServiceId = serviceId, InstanceId = "i-2", Attributes = new Dictionary<string, string> { ["v"] = "2" } }),
            Revision(ns, "web"),
            new("UpdateInstanceCustomHealthStatus", new { ServiceId = serviceId, InstanceId = "i-1", Status = "UNHEALTHY" }),
            Revision(ns, "web"),
            new("DiscoverInstances", new { NamespaceName = ns, ServiceName = "web" }),
            new("DeregisterInstance", new { ServiceId = serviceId, InstanceId = "i-2" }),
            Revision(ns, "web"),
            new("UpdateInstanceCustomHealthStatus", new { ServiceId = serviceId, InstanceId = "i-1", Status = "HEALTHY" }),
            Revision(ns, "web"));

        Assert.All(r, x => Assert.True(x.Ok, x.ToString()));
        long empty = RevisionOf(r[0]), afterFirst = RevisionOf(r[2]), afterSecond = RevisionOf(r[4]), afterUnhealthy = RevisionOf(r[6]);
        long afterDeregister = RevisionOf(r[9]), afterHealthy = RevisionOf(r[11]);
        Assert.True(afterFirst > empty, $"{empty} -> {afterFirst}");
        Assert.True(afterSecond > afterFirst, $"{afterFirst} -> {afterSecond}");
        Assert.Equal(afterSecond, afterUnhealthy);
        Assert.True(afterDeregister > afterUnhealthy, $"{afterUnhealthy} -> {afterDeregister}");
        Assert.Equal(afterDeregister, afterHealthy);

        // DiscoverInstances carries the same revision (the CLI's older model drops it; the SDK reads it).
        var discovered = r[7].Output;
        Assert.Equal(afterUnhealthy, discovered.GetProperty("InstancesRevision").GetInt64());
        var only = Assert.Single(discovered.GetProperty("Instances").EnumerateArray());
        Assert.Equal("i-2", only.Str("InstanceId"));
    }

    [Fact]
    public async Task Service_attributes_are_read_updated_and_deleted()
    {
        var nsId = await server.SeedHttpNamespaceAsync(CloudMapServer.Unique("attrs"));
        var service = (await server.SeedAsync("CreateService", new { Name = "api", NamespaceId = nsId })).GetProperty("Service");
        var serviceId = service.Str("Id");
        var sdk = new JsSdk(server.Host.ApiUri);
        var tooMany = Enumerable.Range(0, 31).ToDictionary(i => $"k{i}", i => "v");

        var r = await sdk.RunAsync(
            new("GetServiceAttributes", new { ServiceId = serviceId }),
            new("UpdateServiceAttributes", new { ServiceId = serviceId, Attributes = new Dictionary<string, string> { ["team"] = "core", ["tier"] = "web" } }),
            new("GetServiceAttributes", new { ServiceId = serviceId }),
            new("UpdateServiceAttributes", new { ServiceId = serviceId, Attributes = new Dictionary<string, string> { ["tier"] = "backend" } }),
            new("DeleteServiceAttributes", new { ServiceId = serviceId, Attributes = new[] { "team" } }),
            // A service ARN is accepted wherever a ServiceId is.
            new("GetServiceAttributes", new { ServiceId = service.Str("Arn") }),
            new("UpdateServiceAttributes", new { ServiceId = serviceId, Attributes = tooMany }),
            new("GetServiceAttributes", new { ServiceId = "srv-doesnotexist000" }),
            new("UpdateServiceAttributes", new { ServiceId = "srv-doesnotexist000", Attributes = new Dictionary<string, string> { ["a"] = "b" } }),
            new("DeleteServiceAttributes", new { ServiceId = "srv-doesnotexist000", Attributes = new[] { "a" } }));

        var initial = r[0].Ensure().GetProperty("ServiceAttributes");
        Assert.Equal(service.Str("Arn"), initial.Str("ServiceArn"));
        Assert.Equal("000000000000", initial.Str("ResourceOwner"));
        Assert.Empty(initial.Map("Attributes"));
        r[1].Ensure();
        Assert.Equal(new Dictionary<string, string> { ["team"] = "core", ["tier"] = "web" }, r[2].Ensure().GetProperty("ServiceAttributes").Map("Attributes"));
        r[3].Ensure();
        r[4].Ensure();
        Assert.Equal(new Dictionary<string, string> { ["tier"] = "backend" }, r[5].Ensure().GetProperty("ServiceAttributes").Map("Attributes"));
        Assert.Equal("ServiceAttributesLimitExceededException", r[6].ErrorName);
        Assert.All(r.Skip(7), x => Assert.Equal("ServiceNotFound", x.ErrorName));
        Assert.All(r.Skip(6), x => Assert.Equal(400, x.HttpStatusCode));
    }

    [Fact]
    public async Task With_the_default_host_prefix_the_sdk_reaches_the_data_host_through_portolan_localhost()
    {
        var ns = CloudMapServer.Unique("jsdata");
        var nsId = await server.SeedHttpNamespaceAsync(ns);
        var serviceId = await server.SeedServiceAsync(nsId, "web");
        await server.SeedInstanceAsync(serviceId, "i-1", "color=blue");
        var sdk = new JsSdk(CloudMapServer.LocalhostEndpoint(server.Port));

        var r = await sdk.RunAsync(
            new("DiscoverInstances", new { NamespaceName = ns, ServiceName = "web", HealthStatus = "ALL" }),
            Revision(ns, "web"),
            Revision("no-such-namespace", "web"));

        var instance = Assert.Single(r[0].Ensure().GetProperty("Instances").EnumerateArray());
        Assert.Equal("i-1", instance.Str("InstanceId"));
        Assert.Equal("UNKNOWN", instance.Str("HealthStatus"));
        Assert.Equal(r[0].Output.GetProperty("InstancesRevision").GetInt64(), RevisionOf(r[1]));
        Assert.Equal("NamespaceNotFound", r[2].ErrorName);
    }
}
