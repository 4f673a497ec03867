using Portolan.IntegrationTests.Support;

namespace Portolan.IntegrationTests;

/// <summary>
/// register-instance, get-instance, list-instances, deregister-instance, get-instances-health-status and
/// update-instance-custom-health-status with the real aws CLI, including their errors.
/// </summary>
public sealed class InstanceTests(CloudMapServer server) : IClassFixture<CloudMapServer>
{
    private Sd Sd => server.Sd;

    private Task<string> PrivateNamespaceAsync() =>
        server.SharedAsync("private", () => server.SeedPrivateNamespaceAsync(CloudMapServer.Unique("inst") + ".internal"));

    private Task<string> HttpNamespaceAsync() =>
        server.SharedAsync("http", () => server.SeedHttpNamespaceAsync(CloudMapServer.Unique("inst-http")));

    private async Task<(string NamespaceId, string ServiceId)> DnsServiceAsync()
    {
        var nsId = await PrivateNamespaceAsync();
        return (nsId, await server.SeedDnsServiceAsync(nsId, CloudMapServer.Unique("echo")));
    }

    [Fact]
    public async Task Instance_is_registered_read_listed_replaced_and_deregistered()
    {
        var (nsId, serviceId) = await DnsServiceAsync();

        var opId = await server.RegisterAsync(serviceId, "echo-1", "AWS_INSTANCE_IPV4=10.0.0.1,AWS_INSTANCE_PORT=80,stage=blue");
        var op = (await Sd.OkAsync("get-operation", "--operation-id", opId)).GetProperty("Operation");
        Assert.Equal("REGISTER_INSTANCE", op.Str("Type"));
        Assert.Equal("SUCCESS", op.Str("Status"));
        Assert.Equal(
            new Dictionary<string, string> { ["INSTANCE"] = "echo-1", ["NAMESPACE"] = nsId, ["SERVICE"] = serviceId },
            op.Map("Targets"));

        var instance = (await Sd.OkAsync("get-instance", "--service-id", serviceId, "--instance-id", "echo-1")).GetProperty("Instance");
        Assert.Equal("echo-1", instance.Str("Id"));
        Assert.True(Guid.TryParse(instance.Str("CreatorRequestId"), out _), instance.ToString());
        Assert.Equal(
            new Dictionary<string, string> { ["AWS_INSTANCE_IPV4"] = "10.0.0.1", ["AWS_INSTANCE_PORT"] = "80", ["stage"] = "blue" },
            instance.Map("Attributes"));

        var listed = await Sd.OkAsync("list-instances", "--service-id", serviceId);
        var summary = Assert.Single(listed.GetProperty("Instances").EnumerateArray());
        Assert.Equal("echo-1", summary.Str("Id"));
        Assert.Equal("blue", summary.Map("Attributes")["stage"]);
        Assert.Equal(1, (await Sd.OkAsync("get-service", "--id", serviceId)).GetProperty("Service").GetProperty("InstanceCount").GetInt32());

        // Registering the same id again replaces its attributes.
        await server.RegisterAsync(serviceId, "echo-1", "AWS_INSTANCE_IPV4=10.0.0.9,AWS_INSTANCE_PORT=8080");
        instance = (await Sd.OkAsync("get-instance", "--service-id", serviceId, "--instance-id", "echo-1")).GetProperty("Instance");
        Assert.Equal(
            new Dictionary<string, string> { ["AWS_INSTANCE_IPV4"] = "10.0.0.9", ["AWS_INSTANCE_PORT"] = "8080" },
            instance.Map("Attributes"));

        var deregistered = await Sd.OkAsync("deregister-instance", "--service-id", serviceId, "--instance-id", "echo-1");
        op = (await Sd.OkAsync("get-operation", "--operation-id", deregistered.Str("OperationId"))).GetProperty("Operation");
        Assert.Equal("DEREGISTER_INSTANCE", op.Str("Type"));
        Assert.Equal("SUCCESS", op.Str("Status"));
        Assert.Equal("echo-1", op.GetProperty("Targets").Str("INSTANCE"));

        await Sd.FailsAsync("InstanceNotFound", "GetInstance", "get-instance", "--service-id", serviceId, "--instance-id", "echo-1");
        Assert.Empty((await Sd.OkAsync("list-instances", "--service-id", serviceId)).GetProperty("Instances").EnumerateArray());
    }

    [Fact]
    public async Task Concurrent_cli_writers_all_land_and_exactly_one_create_of_a_name_wins()
    {
        var nsId = await HttpNamespaceAsync();
        var serviceId = await server.SeedServiceAsync(nsId, CloudMapServer.Unique("busy"));
        var ids = Enumerable.Range(1, 6).Select(i => $"c-{i}").ToArray();
        var name = CloudMapServer.Unique("race");

        var registering = ids.Select(id => Sd.RunAsync("register-instance", "--service-id", serviceId, "--instance-id", id, "--attributes", $"n={id}")).ToArray();
        var creating = Enumerable.Range(0, 4).Select(_ => Sd.RunAsync("create-service", "--name", name, "--namespace-id", nsId)).ToArray();
        var registers = await Task.WhenAll(registering);
        var creates = await Task.WhenAll(creating);

        Assert.All(registers, r => Assert.True(r.ExitCode == 0, r.ToString()));
        var listed = await Sd.OkAsync("list-instances", "--service-id", serviceId);
        Assert.Equal(ids, listed.Column("Instances", "Id").Order(StringComparer.Ordinal));

        Assert.Single(creates, c => c.ExitCode == 0);
        Assert.All(creates.Where(c => c.ExitCode != 0), c => AwsError.Assert(c, "ServiceAlreadyExists", "CreateService"));
    }

    [Fact]
    public async Task A_retried_register_with_the_same_creator_request_id_is_idempotent_and_other_attributes_are_DuplicateRequest()
    {
        var serviceId = await server.SeedServiceAsync(await HttpNamespaceAsync(), CloudMapServer.Unique("retry"));
        var requestId = Guid.NewGuid().ToString();

        var first = await server.RegisterAsync(serviceId, "i-1", "color=blue", "--creator-request-id", requestId);
        var retry = await server.RegisterAsync(serviceId, "i-1", "color=blue", "--creator-request-id", requestId);
        Assert.Equal(first, retry);

        await Sd.FailsAsync("DuplicateRequest", "RegisterInstance", "register-instance", "--service-id", serviceId,
            "--instance-id", "i-1", "--attributes", "color=green", "--creator-request-id", requestId);
        var instance = (await Sd.OkAsync("get-instance", "--service-id", serviceId, "--instance-id", "i-1")).GetProperty("Instance");
        Assert.Equal("blue", instance.Map("Attributes")["color"]);
    }

    [Fact]
    public async Task Custom_health_starts_from_AWS_INIT_HEALTH_STATUS_and_follows_updates()
    {
        var serviceId = await server.SeedServiceAsync(await HttpNamespaceAsync(), CloudMapServer.Unique("health"), customHealth: true);
        await server.RegisterAsync(serviceId, "i-1", "v=1");
        await server.RegisterAsync(serviceId, "i-2", "v=2,AWS_INIT_HEALTH_STATUS=UNHEALTHY");
        await server.RegisterAsync(serviceId, "i-3", "v=3");

        var status = (await Sd.OkAsync("get-instances-health-status", "--service-id", serviceId)).Map("Status");
        Assert.Equal(new Dictionary<string, string> { ["i-1"] = "HEALTHY", ["i-2"] = "UNHEALTHY", ["i-3"] = "HEALTHY" }, status);

        var flip = await Sd.RunAsync("update-instance-custom-health-status", "--service-id", serviceId, "--instance-id", "i-1", "--status", "UNHEALTHY");
        Assert.True(flip.ExitCode == 0, flip.ToString());
        Assert.Equal("", flip.StdOut.Trim());
        await Sd.OkAsync("update-instance-custom-health-status", "--service-id", serviceId, "--instance-id", "i-2", "--status", "HEALTHY");

        status = (await Sd.OkAsync("get-instances-health-status", "--service-id", serviceId, "--instances", "i-1", "i-2")).Map("Status");
        Assert.Equal(new Dictionary<string, string> { ["i-1"] = "UNHEALTHY", ["i-2"] = "HEALTHY" }, status);

        // Not auto-paginated by the CLI: --max-results and --next-token by hand.
        var page1 = await Sd.OkAsync("get-instances-health-status", "--service-id", serviceId, "--max-results", "2");
        var page2 = await Sd.OkAsync("get-instances-health-status", "--service-id", serviceId, "--max-results", "2", "--next-token", page1.Str("NextToken"));
        Assert.Equal(2, page1.Map("Status").Count);
        Assert.Null(page2.OptStr("NextToken"));
        Assert.Equal(["i-1", "i-2", "i-3"], page1.Map("Status").Keys.Concat(page2.Map("Status").Keys).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_service_without_a_health_check_reports_UNKNOWN_and_rejects_custom_status()
    {
        var serviceId = await server.SeedServiceAsync(await HttpNamespaceAsync(), CloudMapServer.Unique("nocheck"));
        await server.SeedInstanceAsync(serviceId, "i-1", "v=1");

        var status = (await Sd.OkAsync("get-instances-health-status", "--service-id", serviceId)).Map("Status");
        Assert.Equal(new Dictionary<string, string> { ["i-1"] = "UNKNOWN" }, status);

        await Sd.FailsAsync("CustomHealthNotFound", "UpdateInstanceCustomHealthStatus",
            "update-instance-custom-health-status", "--service-id", serviceId, "--instance-id", "i-1", "--status", "UNHEALTHY");
    }

    [Fact]
    public async Task Missing_instances_and_services_are_reported()
    {
        var serviceId = await server.SeedServiceAsync(await HttpNamespaceAsync(), CloudMapServer.Unique("missing"), customHealth: true);
        await server.SeedInstanceAsync(serviceId, "i-1", "v=1");

        await Sd.FailsAsync("InstanceNotFound", "GetInstance", "get-instance", "--service-id", serviceId, "--instance-id", "i-404");
        await Sd.FailsAsync("InstanceNotFound", "DeregisterInstance", "deregister-instance", "--service-id", serviceId, "--instance-id", "i-404");
        await Sd.FailsAsync("InstanceNotFound", "UpdateInstanceCustomHealthStatus",
            "update-instance-custom-health-status", "--service-id", serviceId, "--instance-id", "i-404", "--status", "HEALTHY");
        await Sd.FailsAsync("InstanceNotFound", "GetInstancesHealthStatus",
            "get-instances-health-status", "--service-id", serviceId, "--instances", "i-1", "i-404");

        const string nope = "srv-doesnotexist000";
        await Sd.FailsAsync("ServiceNotFound", "RegisterInstance", "register-instance", "--service-id", nope, "--instance-id", "i-1", "--attributes", "v=1");
        await Sd.FailsAsync("ServiceNotFound", "GetInstance", "get-instance", "--service-id", nope, "--instance-id", "i-1");
        await Sd.FailsAsync("ServiceNotFound", "ListInstances", "list-instances", "--service-id", nope);
        await Sd.FailsAsync("ServiceNotFound", "GetInstancesHealthStatus", "get-instances-health-status", "--service-id", nope);
        await Sd.FailsAsync("ServiceNotFound", "DeregisterInstance", "deregister-instance", "--service-id", nope, "--instance-id", "i-1");
    }

    [Fact]
    public async Task Instance_ids_may_use_every_character_the_model_allows()
    {
        var serviceId = await server.SeedServiceAsync(await HttpNamespaceAsync(), CloudMapServer.Unique("chars"), customHealth: true);
        const string id = "task/arn:aws:ecs:us-east-1:1/c@x_y.z-1";

        await server.RegisterAsync(serviceId, id, "v=1");

        Assert.Equal(id, (await Sd.OkAsync("get-instance", "--service-id", serviceId, "--instance-id", id)).GetProperty("Instance").Str("Id"));
        Assert.Equal(new Dictionary<string, string> { [id] = "HEALTHY" }, (await Sd.OkAsync("get-instances-health-status", "--service-id", serviceId)).Map("Status"));
        await Sd.OkAsync("deregister-instance", "--service-id", serviceId, "--instance-id", id);
        Assert.Empty((await Sd.OkAsync("list-instances", "--service-id", serviceId)).GetProperty("Instances").EnumerateArray());
    }

    [Fact]
    public async Task Attributes_that_do_not_fit_the_service_are_InvalidInput()
    {
        var (_, serviceId) = await DnsServiceAsync();

        // An A + SRV service needs an IPv4 address and a port.
        await Sd.FailsAsync("InvalidInput", "RegisterInstance",
            "register-instance", "--service-id", serviceId, "--instance-id", "i-1", "--attributes", "AWS_INSTANCE_PORT=80");
        await Sd.FailsAsync("InvalidInput", "RegisterInstance",
            "register-instance", "--service-id", serviceId, "--instance-id", "i-1", "--attributes", "AWS_INSTANCE_IPV4=10.0.0,AWS_INSTANCE_PORT=80");
        await Sd.FailsAsync("InvalidInput", "RegisterInstance",
            "register-instance", "--service-id", serviceId, "--instance-id", "bad id!", "--attributes", "AWS_INSTANCE_IPV4=10.0.0.1,AWS_INSTANCE_PORT=80");
        Assert.Empty((await Sd.OkAsync("list-instances", "--service-id", serviceId)).GetProperty("Instances").EnumerateArray());
    }
}
