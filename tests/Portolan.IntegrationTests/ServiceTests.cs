using Portolan.IntegrationTests.Support;

namespace Portolan.IntegrationTests;

/// <summary>create-service, get-service, update-service and delete-service with the real aws CLI, including their errors.</summary>
public sealed class ServiceTests(CloudMapServer server) : IClassFixture<CloudMapServer>
{
    private Sd Sd => server.Sd;

    private Task<string> PrivateNamespaceAsync() =>
        server.SharedAsync("private", () => server.SeedPrivateNamespaceAsync(CloudMapServer.Unique("svc") + ".internal"));

    private Task<string> HttpNamespaceAsync() =>
        server.SharedAsync("http", () => server.SeedHttpNamespaceAsync(CloudMapServer.Unique("svc-http")));

    [Fact]
    public async Task Dns_service_is_created_read_updated_and_deleted()
    {
        var nsId = await PrivateNamespaceAsync();
        var name = CloudMapServer.Unique("echo");

        var created = await server.CreateServiceAsync(name, "--description", "echo v1",
            "--dns-config", $"NamespaceId={nsId},RoutingPolicy=MULTIVALUE,DnsRecords=[{{Type=A,TTL=60}},{{Type=SRV,TTL=60}}]",
            "--health-check-custom-config", "FailureThreshold=1", "--tags", "Key=app,Value=echo");

        var id = created.Str("Id");
        Assert.StartsWith("srv-", id, StringComparison.Ordinal);
        Assert.Equal($"arn:aws:servicediscovery:us-east-1:000000000000:service/{id}", created.Str("Arn"));
        Assert.Equal(name, created.Str("Name"));
        Assert.Equal(nsId, created.Str("NamespaceId"));
        Assert.Equal("echo v1", created.Str("Description"));
        Assert.Equal("DNS_HTTP", created.Str("Type"));
        Assert.Equal(0, created.GetProperty("InstanceCount").GetInt32());
        var dns = created.GetProperty("DnsConfig");
        Assert.Equal(nsId, dns.Str("NamespaceId"));
        Assert.Equal("MULTIVALUE", dns.Str("RoutingPolicy"));
        Assert.Equal(["A:60", "SRV:60"], Records(created));
        Assert.Equal(1, created.GetProperty("HealthCheckCustomConfig").GetProperty("FailureThreshold").GetInt32());
        Assert.False(created.TryGetProperty("HealthCheckConfig", out _));
        Assert.True(Guid.TryParse(created.Str("CreatorRequestId"), out _));
        created.Time("CreateDate");

        var read = (await Sd.OkAsync("get-service", "--id", id)).GetProperty("Service");
        Assert.Equal(created.ToString(), read.ToString());

        var update = await Sd.OkAsync("update-service", "--id", id,
            "--service", "Description=echo v2,DnsConfig={DnsRecords=[{Type=A,TTL=300},{Type=SRV,TTL=300}]}");
        var op = (await Sd.OkAsync("get-operation", "--operation-id", update.Str("OperationId"))).GetProperty("Operation");
        Assert.Equal("UPDATE_SERVICE", op.Str("Type"));
        Assert.Equal("SUCCESS", op.Str("Status"));
        Assert.Equal(id, op.GetProperty("Targets").Str("SERVICE"));

        read = (await Sd.OkAsync("get-service", "--id", id)).GetProperty("Service");
        Assert.Equal("echo v2", read.Str("Description"));
        Assert.Equal(["A:300", "SRV:300"], Records(read));
        Assert.Equal(1, read.GetProperty("HealthCheckCustomConfig").GetProperty("FailureThreshold").GetInt32());

        // Record types are fixed once the service exists; only TTLs change.
        await Sd.FailsAsync("InvalidInput", "UpdateService", "update-service", "--id", id,
            "--service", "DnsConfig={DnsRecords=[{Type=AAAA,TTL=300}]}");

        var deleted = await Sd.RunAsync("delete-service", "--id", id);
        Assert.True(deleted.ExitCode == 0, deleted.ToString());
        Assert.Equal("", deleted.StdOut.Trim());
        await Sd.FailsAsync("ServiceNotFound", "GetService", "get-service", "--id", id);
    }

    [Fact]
    public async Task Services_of_each_type_report_their_type_and_health_check()
    {
        var privateNs = await PrivateNamespaceAsync();
        var httpNs = await HttpNamespaceAsync();

        var apiOnly = await server.CreateServiceAsync(CloudMapServer.Unique("api"), "--namespace-id", privateNs, "--type", "HTTP");
        Assert.Equal("HTTP", apiOnly.Str("Type"));
        Assert.False(apiOnly.TryGetProperty("DnsConfig", out _));

        var checkedService = await server.CreateServiceAsync(CloudMapServer.Unique("web"), "--namespace-id", httpNs,
            "--health-check-config", "Type=HTTP,ResourcePath=/health,FailureThreshold=2");
        Assert.Equal("HTTP", checkedService.Str("Type"));
        var check = checkedService.GetProperty("HealthCheckConfig");
        Assert.Equal("HTTP", check.Str("Type"));
        Assert.Equal("/health", check.Str("ResourcePath"));
        Assert.Equal(2, check.GetProperty("FailureThreshold").GetInt32());

        var weighted = await server.CreateServiceAsync(CloudMapServer.Unique("alias"),
            "--dns-config", $"NamespaceId={privateNs},RoutingPolicy=WEIGHTED,DnsRecords=[{{Type=CNAME,TTL=30}}]");
        Assert.Equal("WEIGHTED", weighted.GetProperty("DnsConfig").Str("RoutingPolicy"));
        Assert.Equal(["CNAME:30"], Records(weighted));
    }

    [Fact]
    public async Task Creating_a_service_name_twice_is_ServiceAlreadyExists_but_a_retry_returns_the_same_service()
    {
        var nsId = await HttpNamespaceAsync();
        var name = CloudMapServer.Unique("dup");
        var requestId = Guid.NewGuid().ToString();

        var first = await server.CreateServiceAsync(name, "--namespace-id", nsId, "--creator-request-id", requestId);
        var retry = await server.CreateServiceAsync(name, "--namespace-id", nsId, "--creator-request-id", requestId);
        Assert.Equal(first.Str("Id"), retry.Str("Id"));

        await Sd.FailsAsync("ServiceAlreadyExists", "CreateService", "create-service", "--name", name, "--namespace-id", nsId);
    }

    [Fact]
    public async Task Invalid_service_configurations_are_InvalidInput()
    {
        var nsId = await PrivateNamespaceAsync();

        // CNAME needs WEIGHTED routing.
        await Sd.FailsAsync("InvalidInput", "CreateService", "create-service", "--name", CloudMapServer.Unique("cname"),
            "--dns-config", $"NamespaceId={nsId},RoutingPolicy=MULTIVALUE,DnsRecords=[{{Type=CNAME,TTL=30}}]");
        // A service has HealthCheckConfig or HealthCheckCustomConfig, not both.
        await Sd.FailsAsync("InvalidInput", "CreateService", "create-service", "--name", CloudMapServer.Unique("both"),
            "--namespace-id", nsId, "--health-check-config", "Type=TCP", "--health-check-custom-config", "FailureThreshold=1");
    }

    [Fact]
    public async Task Missing_services_and_namespaces_are_reported()
    {
        await Sd.FailsAsync("NamespaceNotFound", "CreateService", "create-service", "--name", "orphan", "--namespace-id", "ns-doesnotexist0000");
        await Sd.FailsAsync("ServiceNotFound", "GetService", "get-service", "--id", "srv-doesnotexist000");
        await Sd.FailsAsync("ServiceNotFound", "UpdateService", "update-service", "--id", "srv-doesnotexist000", "--service", "Description=x");
        await Sd.FailsAsync("ServiceNotFound", "DeleteService", "delete-service", "--id", "srv-doesnotexist000");
    }

    [Fact]
    public async Task Deleting_a_service_with_instances_is_ResourceInUse()
    {
        var serviceId = await server.SeedServiceAsync(await HttpNamespaceAsync(), CloudMapServer.Unique("busy"));
        await server.SeedInstanceAsync(serviceId, "i-1", "color=blue");
        Assert.Equal(1, (await Sd.OkAsync("get-service", "--id", serviceId)).GetProperty("Service").GetProperty("InstanceCount").GetInt32());

        await Sd.FailsAsync("ResourceInUse", "DeleteService", "delete-service", "--id", serviceId);

        await Sd.OkAsync("deregister-instance", "--service-id", serviceId, "--instance-id", "i-1");
        await Sd.OkAsync("delete-service", "--id", serviceId);
    }

    private static string[] Records(System.Text.Json.JsonElement service) =>
        service.GetProperty("DnsConfig").GetProperty("DnsRecords").EnumerateArray()
            .Select(r => $"{r.Str("Type")}:{r.GetProperty("TTL").GetInt64()}").ToArray();
}
