using Portolan.Core.Discovery;
using Portolan.Core.Registry;

namespace Portolan.Core.Tests.Registry;

public sealed class DiscoveryRegistryTests
{
    private static readonly DnsConfig ASrv = new() { DnsRecords = [new DnsRecord(RecordType.A, 60), new DnsRecord(RecordType.Srv, 60)] };

    private static Dictionary<string, string> Ip(string ip, string port = "80") =>
        new() { ["AWS_INSTANCE_IPV4"] = ip, ["AWS_INSTANCE_PORT"] = port };

    private static async Task<string> NamespaceAsync(RegistryHarness h, string name = "domaina", NamespaceType type = NamespaceType.DnsPrivate)
    {
        await h.Registry.CreateNamespaceAsync(new CreateNamespaceCommand(type, name, Vpc: "vpc-1"));
        return h.Snapshot.FindNamespaceByName(name)!.Id;
    }

    private static async Task<string> ServiceAsync(RegistryHarness h, string nsId, string name = "echoservice", HealthCheckCustomConfig? custom = null) =>
        (await h.Registry.CreateServiceAsync(new CreateServiceCommand(name, nsId, DnsConfig: ASrv, HealthCheckCustomConfig: custom))).Id;

    private static async Task<RegistryException> Rejects(Func<Task> act) => await Assert.ThrowsAsync<RegistryException>(act);

    [Fact]
    public async Task CreateNamespace_IsVisibleWithAwsIdsAndOperation()
    {
        await using var h = await RegistryHarness.StartAsync();
        var opId = await h.Registry.CreateNamespaceAsync(new CreateNamespaceCommand(NamespaceType.DnsPrivate, "domaina", "req-1", "demo", "vpc-1"));

        var ns = Assert.Single(h.Snapshot.Namespaces.Values).Record;
        Assert.Matches("^ns-[a-z2-7]{16}$", ns.Id);
        Assert.Equal($"arn:aws:servicediscovery:us-east-1:000000000000:namespace/{ns.Id}", ns.Arn);
        Assert.Equal(15, ns.SoaTtl);
        Assert.StartsWith("Z", ns.HostedZoneId);
        Assert.Matches("^[a-z2-7]{32}-[a-z2-7]{8}$", opId);
        var op = await h.Operations.GetAsync(opId);
        Assert.NotNull(op);
        Assert.Equal(OperationType.CreateNamespace, op.Type);
        Assert.Equal(OperationStatus.Success, op.Status);
        Assert.Equal(ns.Id, op.Targets[OperationTargetType.Namespace]);
    }

    [Fact]
    public async Task CreateNamespace_NameTakenInAnyCase_IsNamespaceAlreadyExists()
    {
        await using var h = await RegistryHarness.StartAsync();
        var id = await NamespaceAsync(h);
        var e = await Rejects(() => h.Registry.CreateNamespaceAsync(new CreateNamespaceCommand(NamespaceType.Http, "DomainA")));
        Assert.Equal(ErrorCodes.NamespaceAlreadyExists, e.Code);
        Assert.Equal(id, e.Fields["NamespaceId"]);
        Assert.Single(h.Snapshot.Namespaces);
    }

    [Fact]
    public async Task CreateNamespace_RetrySameCreatorRequestId_ReturnsSameOperation_OtherUseIsDuplicate()
    {
        await using var h = await RegistryHarness.StartAsync();
        var first = await h.Registry.CreateNamespaceAsync(new CreateNamespaceCommand(NamespaceType.Http, "one", "crid"));
        var again = await h.Registry.CreateNamespaceAsync(new CreateNamespaceCommand(NamespaceType.Http, "one", "crid"));
        Assert.Equal(first, again);
        var e = await Rejects(() => h.Registry.CreateNamespaceAsync(new CreateNamespaceCommand(NamespaceType.Http, "two", "crid")));
        Assert.Equal(ErrorCodes.DuplicateRequest, e.Code);
        Assert.Equal(first, e.Fields["DuplicateOperationId"]);
        Assert.Single(h.Snapshot.Namespaces);
    }

    [Fact]
    public async Task ConcurrentCreatesOfOneName_ExactlyOneWins()
    {
        await using var h = await RegistryHarness.StartAsync();
        var attempts = Enumerable.Range(0, 20).Select(_ => Task.Run(async () =>
        {
            try { await h.Registry.CreateNamespaceAsync(new CreateNamespaceCommand(NamespaceType.Http, "contended")); return true; }
            catch (RegistryException e) when (e.Code == ErrorCodes.NamespaceAlreadyExists) { return false; }
        }));
        var results = await Task.WhenAll(attempts);
        Assert.Equal(1, results.Count(ok => ok));
        Assert.Single(h.Snapshot.Namespaces);
    }

    [Fact]
    public async Task DeleteNamespace_WithService_IsResourceInUse_ThenSucceedsWhenEmpty()
    {
        await using var h = await RegistryHarness.StartAsync();
        var nsId = await NamespaceAsync(h);
        var svcId = await ServiceAsync(h, nsId);
        Assert.Equal(ErrorCodes.ResourceInUse, (await Rejects(() => h.Registry.DeleteNamespaceAsync(nsId))).Code);
        await h.Registry.DeleteServiceAsync(svcId);
        await h.Registry.DeleteNamespaceAsync(nsId);
        Assert.Empty(h.Snapshot.Namespaces);
        Assert.Equal(ErrorCodes.NamespaceNotFound, (await Rejects(() => h.Registry.DeleteNamespaceAsync(nsId))).Code);
        // The name is free again.
        await NamespaceAsync(h);
    }

    [Fact]
    public async Task CreateService_NameRules_FollowNamespaceType()
    {
        await using var h = await RegistryHarness.StartAsync();
        var dns = await NamespaceAsync(h);
        var http = await NamespaceAsync(h, "httpns", NamespaceType.Http);
        await ServiceAsync(h, dns, "Echo");
        Assert.Equal(ErrorCodes.ServiceAlreadyExists, (await Rejects(() => ServiceAsync(h, dns, "echo"))).Code);
        await h.Registry.CreateServiceAsync(new CreateServiceCommand("Echo", http));
        await h.Registry.CreateServiceAsync(new CreateServiceCommand("echo", http));
        Assert.Equal(ErrorCodes.InvalidInput, (await Rejects(() => h.Registry.CreateServiceAsync(new CreateServiceCommand("x", http, DnsConfig: ASrv)))).Code);
        Assert.Equal(ErrorCodes.NamespaceNotFound, (await Rejects(() => h.Registry.CreateServiceAsync(new CreateServiceCommand("x", "ns-missing")))).Code);
        Assert.Equal(3, h.Snapshot.Services.Count);
        Assert.Equal(2, h.Snapshot.Namespaces[http].ServiceIds.Count);
    }

    [Fact]
    public async Task CreateService_TypeAndCustomHealthThreshold_AsAwsReports()
    {
        await using var h = await RegistryHarness.StartAsync();
        var dns = await NamespaceAsync(h);
        var withDns = await h.Registry.CreateServiceAsync(new CreateServiceCommand("a", dns, DnsConfig: ASrv, HealthCheckCustomConfig: new HealthCheckCustomConfig(5)));
        var apiOnly = await h.Registry.CreateServiceAsync(new CreateServiceCommand("b", dns, HttpOnly: true));
        Assert.Equal(ServiceType.DnsHttp, withDns.Type);
        Assert.Equal(1, withDns.HealthCheckCustomConfig!.FailureThreshold);
        Assert.Equal(ServiceType.Http, apiOnly.Type);
        Assert.Matches("^srv-[a-z2-7]{16}$", withDns.Id);
    }

    [Fact]
    public async Task RegisterInstance_Validates_ReplacesAndIsIdempotent()
    {
        await using var h = await RegistryHarness.StartAsync();
        var svcId = await ServiceAsync(h, await NamespaceAsync(h));
        Assert.Equal(ErrorCodes.InvalidInput, (await Rejects(() => h.Registry.RegisterInstanceAsync(new RegisterInstanceCommand(svcId, "i-1", new Dictionary<string, string> { ["AWS_INSTANCE_PORT"] = "80" })))).Code);
        Assert.Equal(ErrorCodes.ServiceNotFound, (await Rejects(() => h.Registry.RegisterInstanceAsync(new RegisterInstanceCommand("srv-none", "i-1", Ip("10.0.0.1"))))).Code);

        var op1 = await h.Registry.RegisterInstanceAsync(new RegisterInstanceCommand(svcId, "i-1", Ip("10.0.0.1"), "c1"));
        Assert.Equal(op1, await h.Registry.RegisterInstanceAsync(new RegisterInstanceCommand(svcId, "i-1", Ip("10.0.0.1"), "c1")));
        var dup = await Rejects(() => h.Registry.RegisterInstanceAsync(new RegisterInstanceCommand(svcId, "i-1", Ip("10.0.0.9"), "c1")));
        Assert.Equal(ErrorCodes.DuplicateRequest, dup.Code);

        await h.Registry.RegisterInstanceAsync(new RegisterInstanceCommand(svcId, "i-1", Ip("10.0.0.2"), "c2"));
        var instance = Assert.Single(h.Snapshot.Services[svcId].Instances.Values);
        Assert.Equal("10.0.0.2", instance.Record.Attributes["AWS_INSTANCE_IPV4"]);
    }

    [Fact]
    public async Task InstancesRevision_GrowsOnRegisterAndDeregister_NotOnHealth()
    {
        await using var h = await RegistryHarness.StartAsync();
        var svcId = await ServiceAsync(h, await NamespaceAsync(h), custom: new HealthCheckCustomConfig());
        var r0 = h.Snapshot.Services[svcId].InstancesRevision;
        await h.Registry.RegisterInstanceAsync(new RegisterInstanceCommand(svcId, "i-1", Ip("10.0.0.1")));
        var r1 = h.Snapshot.Services[svcId].InstancesRevision;
        await h.Registry.UpdateInstanceCustomHealthStatusAsync(svcId, "i-1", HealthStatus.Unhealthy);
        Assert.Equal(HealthStatus.Unhealthy, h.Snapshot.Services[svcId].StatusOf("i-1"));
        Assert.Equal(r1, h.Snapshot.Services[svcId].InstancesRevision);
        await h.Registry.DeregisterInstanceAsync(svcId, "i-1");
        var r2 = h.Snapshot.Services[svcId].InstancesRevision;
        Assert.True(r0 < r1 && r1 < r2, $"{r0} < {r1} < {r2}");
        Assert.Empty(h.Snapshot.Services[svcId].Health);
    }

    [Fact]
    public async Task CustomHealth_InitialStatusAndErrors()
    {
        await using var h = await RegistryHarness.StartAsync();
        var nsId = await NamespaceAsync(h);
        var custom = await ServiceAsync(h, nsId, "custom", new HealthCheckCustomConfig());
        var plain = await ServiceAsync(h, nsId, "plain");
        await h.Registry.RegisterInstanceAsync(new RegisterInstanceCommand(custom, "up", Ip("10.0.0.1")));
        var down = Ip("10.0.0.2");
        down["AWS_INIT_HEALTH_STATUS"] = "UNHEALTHY";
        await h.Registry.RegisterInstanceAsync(new RegisterInstanceCommand(custom, "down", down));
        await h.Registry.RegisterInstanceAsync(new RegisterInstanceCommand(plain, "p", Ip("10.0.0.3")));

        var svc = h.Snapshot.Services[custom];
        Assert.Equal(HealthStatus.Healthy, svc.StatusOf("up"));
        Assert.Equal(HealthStatus.Unhealthy, svc.StatusOf("down"));
        Assert.Equal(HealthStatus.Unknown, h.Snapshot.Services[plain].StatusOf("p"));
        Assert.Equal(ErrorCodes.CustomHealthNotFound, (await Rejects(() => h.Registry.UpdateInstanceCustomHealthStatusAsync(plain, "p", HealthStatus.Healthy))).Code);
        Assert.Equal(ErrorCodes.InstanceNotFound, (await Rejects(() => h.Registry.UpdateInstanceCustomHealthStatusAsync(custom, "nope", HealthStatus.Healthy))).Code);
    }

    [Fact]
    public async Task DeleteService_WithInstances_IsResourceInUse()
    {
        await using var h = await RegistryHarness.StartAsync();
        var svcId = await ServiceAsync(h, await NamespaceAsync(h));
        await h.Registry.RegisterInstanceAsync(new RegisterInstanceCommand(svcId, "i-1", Ip("10.0.0.1")));
        Assert.Equal(ErrorCodes.ResourceInUse, (await Rejects(() => h.Registry.DeleteServiceAsync(svcId))).Code);
        await h.Registry.DeregisterInstanceAsync(svcId, "i-1");
        await h.Registry.DeleteServiceAsync(h.Registry.Arns.Service(svcId));
        Assert.Empty(h.Snapshot.Services);
    }

    [Fact]
    public async Task UpdateService_TtlChangesButTypesDoNot_AndOmittedHealthCheckIsRemoved()
    {
        await using var h = await RegistryHarness.StartAsync();
        var nsId = await NamespaceAsync(h, "pub.example.com", NamespaceType.DnsPublic);
        var svc = await h.Registry.CreateServiceAsync(new CreateServiceCommand("web", nsId, DnsConfig: ASrv, HealthCheckConfig: new HealthCheckConfig(HealthCheckType.Http, "/health", 2)));
        await h.Registry.UpdateServiceAsync(new UpdateServiceCommand(svc.Id, "new", [new DnsRecord(RecordType.Srv, 5), new DnsRecord(RecordType.A, 5)], null));
        var updated = h.Snapshot.Services[svc.Id].Record;
        Assert.All(updated.DnsConfig!.DnsRecords, r => Assert.Equal(5, r.TTL));
        Assert.Null(updated.HealthCheckConfig);
        Assert.Equal("new", updated.Description);
        var e = await Rejects(() => h.Registry.UpdateServiceAsync(new UpdateServiceCommand(svc.Id, null, [new DnsRecord(RecordType.Aaaa, 5)], null)));
        Assert.Equal(ErrorCodes.InvalidInput, e.Code);
    }

    [Fact]
    public async Task ConcurrentRegistrations_AllLand()
    {
        await using var h = await RegistryHarness.StartAsync();
        var svcId = await ServiceAsync(h, await NamespaceAsync(h));
        await Task.WhenAll(Enumerable.Range(0, 200).Select(i =>
            h.Registry.RegisterInstanceAsync(new RegisterInstanceCommand(svcId, $"i-{i}", Ip($"10.0.{i / 250}.{i % 250 + 1}")))));
        Assert.Equal(200, h.Snapshot.Services[svcId].Instances.Count);
    }

    [Fact]
    public async Task Tags_AddListRemove_AndLimits()
    {
        await using var h = await RegistryHarness.StartAsync();
        var nsId = await NamespaceAsync(h);
        var arn = h.Snapshot.Namespaces[nsId].Record.Arn;
        await h.Registry.TagResourceAsync(arn, [new("env", "test"), new("team", "core")]);
        Assert.Equal(["env", "team"], h.Registry.ListTags(arn).Keys);
        await h.Registry.UntagResourceAsync(arn, ["env"]);
        Assert.Equal(["team"], h.Registry.ListTags(arn).Keys);
        Assert.Equal(ErrorCodes.ResourceNotFound, Assert.Throws<RegistryException>(() => h.Registry.ListTags(arn + "x")).Code);
        var many = Enumerable.Range(0, 50).Select(i => new KeyValuePair<string, string>($"k{i}", "v")).ToList();
        Assert.Equal(ErrorCodes.TooManyTags, (await Rejects(() => h.Registry.TagResourceAsync(arn, many))).Code);
        Assert.Equal(ErrorCodes.InvalidInput, (await Rejects(() => h.Registry.TagResourceAsync(arn, [new("aws:x", "v")]))).Code);
    }

    [Fact]
    public async Task ServiceAttributes_SetDeleteAndLimit()
    {
        await using var h = await RegistryHarness.StartAsync();
        var svcId = await ServiceAsync(h, await NamespaceAsync(h));
        await h.Registry.UpdateServiceAttributesAsync(svcId, new Dictionary<string, string> { ["a"] = "1", ["b"] = "2" });
        await h.Registry.DeleteServiceAttributesAsync(svcId, ["a", "missing"]);
        Assert.Equal(["b"], h.Snapshot.Services[svcId].Record.Attributes.Keys);
        var many = Enumerable.Range(0, 30).ToDictionary(i => $"k{i}", _ => "v");
        Assert.Equal(ErrorCodes.ServiceAttributesLimitExceeded, (await Rejects(() => h.Registry.UpdateServiceAttributesAsync(svcId, many))).Code);
    }

    [Fact]
    public async Task Restart_ReloadsEverythingFromTheStore()
    {
        var h = await RegistryHarness.StartAsync();
        var svcId = await ServiceAsync(h, await NamespaceAsync(h), custom: new HealthCheckCustomConfig());
        await h.Registry.RegisterInstanceAsync(new RegisterInstanceCommand(svcId, "i-1", Ip("10.0.0.1")));
        await h.Registry.UpdateInstanceCustomHealthStatusAsync(svcId, "i-1", HealthStatus.Unhealthy);
        var before = h.Snapshot;

        await using var again = await h.RestartAsync();
        var after = again.Snapshot;
        Assert.Equal(before.Revision, after.Revision);
        Assert.Equal(before.Namespaces.Keys.Order(), after.Namespaces.Keys.Order());
        var svc = after.Services[svcId];
        Assert.Equal(HealthStatus.Unhealthy, svc.StatusOf("i-1"));
        Assert.Equal(before.Services[svcId].InstancesRevision, svc.InstancesRevision);
        Assert.Single(after.Namespaces.Values.Single().ServiceIds);
    }
}
