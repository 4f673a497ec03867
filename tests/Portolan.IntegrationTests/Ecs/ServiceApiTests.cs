using System.Text.Json;
using System.Text.Json.Nodes;
using Portolan.IntegrationTests.Ecs.Support;
using Portolan.IntegrationTests.Support;

namespace Portolan.IntegrationTests.Ecs;

/// <summary>
/// create-service, describe-services, update-service, delete-service and tags with the real aws CLI, on services with a
/// desired count of 0 (the scheduler's behaviour is tested with running tasks elsewhere): shapes, the filled-in
/// --generate-cli-skeleton, and the validation of loadBalancers and serviceRegistries.
/// </summary>
public sealed class ServiceApiTests(EcsServer server) : IClassFixture<EcsServer>
{
    private const string Containers = """
        [{"name": "api_container", "image": "example/echo:latest", "command": ["sleep", "600"],
          "portMappings": [{"containerPort": 80, "hostPort": 0, "protocol": "tcp"}, {"containerPort": 10080, "protocol": "tcp"},
                           {"containerPort": 5353, "protocol": "udp"}]}]
        """;

    private EcsCli Ecs => server.Ecs;

    /// <summary>A fresh cluster and task definition per test (seeded without the CLI).</summary>
    private async Task<(string Cluster, string TaskDefinition)> SetupAsync()
    {
        var cluster = await server.SeedClusterAsync(EcsServer.Unique("svc"));
        var td = await server.SeedTaskDefinitionAsync(new { family = EcsServer.Unique("echo"), networkMode = "bridge", containerDefinitions = JsonNode.Parse(Containers) });
        return (cluster, td);
    }

    [Fact]
    public async Task Service_is_created_described_updated_and_deleted()
    {
        var (cluster, td) = await SetupAsync();
        var name = EcsServer.Unique("echoservice");
        var created = (await Ecs.OkAsync("create-service", "--cluster", cluster, "--service-name", name, "--task-definition", td,
            "--desired-count", "0", "--deployment-configuration", "maximumPercent=200,minimumHealthyPercent=50",
            "--tags", "key=app,value=echo")).GetProperty("service");
        Assert.Equal($"arn:aws:ecs:us-east-1:000000000000:service/{cluster}/{name}", created.Str("serviceArn"));
        Assert.Equal($"arn:aws:ecs:us-east-1:000000000000:cluster/{cluster}", created.Str("clusterArn"));
        Assert.Equal("ACTIVE", created.Str("status"));
        Assert.Equal(td, created.Str("taskDefinition"));
        Assert.Equal("REPLICA", created.Str("schedulingStrategy"));
        Assert.Equal("EC2", created.Str("launchType"));
        Assert.Equal(50, created.GetProperty("deploymentConfiguration").GetProperty("minimumHealthyPercent").GetInt32());
        var deployment = Assert.Single(created.GetProperty("deployments").EnumerateArray());
        Assert.Matches("^ecs-svc/[0-9]{19}$", deployment.Str("id"));
        Assert.Equal("PRIMARY", deployment.Str("status"));
        Assert.Equal(td, deployment.Str("taskDefinition"));
        Assert.Equal("ECS", created.GetProperty("deploymentController").Str("type"));

        var described = await Ecs.OkAsync("describe-services", "--cluster", cluster, "--services", name, "nosuch", "--include", "TAGS");
        var svc = Assert.Single(described.GetProperty("services").EnumerateArray());
        Assert.Equal("app", Assert.Single(svc.GetProperty("tags").EnumerateArray()).Str("key"));
        var failure = Assert.Single(described.GetProperty("failures").EnumerateArray());
        Assert.Equal($"arn:aws:ecs:us-east-1:000000000000:service/{cluster}/nosuch", failure.Str("arn"));
        Assert.Equal("MISSING", failure.Str("reason"));

        Assert.Contains(created.Str("serviceArn"), (await Ecs.OkAsync("list-services", "--cluster", cluster)).GetProperty("serviceArns").EnumerateArray().Select(a => a.GetString()));

        // A second create-service with the same name is not idempotent.
        Assert.Equal("Creation of service was not idempotent.", await Ecs.FailsAsync("InvalidParameterException", "CreateService",
            "create-service", "--cluster", cluster, "--service-name", name, "--task-definition", td, "--desired-count", "1"));

        var updated = (await Ecs.OkAsync("update-service", "--cluster", cluster, "--service", name, "--desired-count", "3")).GetProperty("service");
        Assert.Equal(3, updated.GetProperty("desiredCount").GetInt32());
        Assert.Equal(deployment.Str("id"), Assert.Single(updated.GetProperty("deployments").EnumerateArray()).Str("id"));

        Assert.Equal("The service cannot be stopped while it is scaled above 0.",
            await Ecs.FailsAsync("InvalidParameterException", "DeleteService", "delete-service", "--cluster", cluster, "--service", name));
        var deleted = (await Ecs.OkAsync("delete-service", "--cluster", cluster, "--service", name, "--force")).GetProperty("service");
        Assert.Equal("DRAINING", deleted.Str("status"));
        Assert.Equal(0, deleted.GetProperty("desiredCount").GetInt32());
        Assert.Equal("Service was not ACTIVE.", await Ecs.FailsAsync("ServiceNotActiveException", "UpdateService",
            "update-service", "--cluster", cluster, "--service", name, "--desired-count", "1"));
    }

    [Fact]
    public async Task Missing_clusters_services_and_task_definitions_get_ECS_errors()
    {
        var (cluster, td) = await SetupAsync();
        Assert.Equal("Cluster not found.", await Ecs.FailsAsync("ClusterNotFoundException", "DescribeServices", "describe-services", "--cluster", "nosuch", "--services", "x"));
        Assert.Equal("Service not found.", await Ecs.FailsAsync("ServiceNotFoundException", "UpdateService", "update-service", "--cluster", cluster, "--service", "nosuch", "--desired-count", "1"));
        Assert.Equal("Service not found.", await Ecs.FailsAsync("ServiceNotFoundException", "DeleteService", "delete-service", "--cluster", cluster, "--service", "nosuch"));
        Assert.Equal("TaskDefinition not found.", await Ecs.FailsAsync("ClientException", "CreateService",
            "create-service", "--cluster", cluster, "--service-name", "x", "--task-definition", "nosuch-family", "--desired-count", "1"));
        await Ecs.FailsAsync("ClusterNotFoundException", "CreateService",
            "create-service", "--cluster", "nosuch", "--service-name", "x", "--task-definition", td, "--desired-count", "1");
        await Ecs.FailsAsync("InvalidParameterException", "CreateService",
            "create-service", "--cluster", cluster, "--service-name", "x", "--task-definition", td, "--desired-count", "1", "--deployment-controller", "type=CODE_DEPLOY");
    }

    [Fact]
    public async Task Filled_in_cli_skeleton_is_accepted_with_placeholders_read_as_not_set()
    {
        var (cluster, td) = await SetupAsync();
        var name = EcsServer.Unique("skeleton");
        var skeleton = JsonNode.Parse(File.ReadAllText(Path.Combine(SourceTree.ProjectDirectory, "Ecs", "TestData", "ecs-create-service.skeleton.json")))!;
        // What a user types into the generated skeleton; every other member stays as generated.
        skeleton["cluster"] = cluster;
        skeleton["serviceName"] = name;
        skeleton["taskDefinition"] = td;
        skeleton["desiredCount"] = 0;
        // The CLI itself rejects the skeleton's empty tag key (tags[0].key has a minimum length of 1), so users fill it in.
        skeleton["tags"] = JsonNode.Parse("""[{"key": "app", "value": "echo"}]""");
        var file = server.InputFile(name + ".json", skeleton.ToJsonString());

        var svc = (await Ecs.OkAsync("create-service", "--cli-input-json", file)).GetProperty("service");
        Assert.Equal(name, svc.Str("serviceName"));
        Assert.Equal(0, svc.GetProperty("loadBalancers").GetArrayLength());
        Assert.Equal(0, svc.GetProperty("serviceRegistries").GetArrayLength());
        var config = svc.GetProperty("deploymentConfiguration");
        Assert.True(config.GetProperty("deploymentCircuitBreaker").GetProperty("enable").GetBoolean());
        Assert.True(config.GetProperty("deploymentCircuitBreaker").GetProperty("rollback").GetBoolean());
        Assert.Equal(200, config.GetProperty("maximumPercent").GetInt32());
        Assert.Equal(0, config.GetProperty("minimumHealthyPercent").GetInt32());
        Assert.False(config.TryGetProperty("alarms", out _));
        Assert.False(svc.TryGetProperty("networkConfiguration", out _));
        Assert.Equal("distinctInstance", Assert.Single(svc.GetProperty("placementConstraints").EnumerateArray()).Str("type"));
        Assert.Equal("TASK_DEFINITION", svc.Str("propagateTags"));
        Assert.True(svc.GetProperty("enableECSManagedTags").GetBoolean());
        Assert.Equal("app", Assert.Single(svc.GetProperty("tags").EnumerateArray()).Str("key"));
    }

    [Fact]
    public async Task Load_balancer_and_registry_entries_are_checked_against_the_task_definition_and_Cloud_Map()
    {
        var (cluster, td) = await SetupAsync();
        var tg = "arn:aws:elasticloadbalancing:us-east-1:000000000000:targetgroup/echo-http/0123456789abcdef";
        var (_, _, srvArn) = await server.SeedCloudMapServiceAsync(EcsServer.Unique("lbns") + ".internal", "echoservice");
        var before = (await server.SeedAsync("ListServices", new { cluster })).GetProperty("serviceArns").GetArrayLength();

        async Task<string> Rejected(object spec) =>
            await Ecs.FailsAsync("InvalidParameterException", "CreateService", "create-service", "--cli-input-json",
                server.InputFile(EcsServer.Unique("spec") + ".json", JsonSerializer.Serialize(spec)));

        object Spec(object[]? lbs = null, object[]? registries = null) => new
        {
            cluster, serviceName = EcsServer.Unique("bad"), taskDefinition = td, desiredCount = 1,
            loadBalancers = lbs ?? [], serviceRegistries = registries ?? [],
        };

        Assert.Contains("The container web does not exist in the task definition",
            await Rejected(Spec([new { targetGroupArn = tg, containerName = "web", containerPort = 80 }])), StringComparison.Ordinal);
        Assert.Contains("The container api_container did not have a container port 8080 defined",
            await Rejected(Spec([new { targetGroupArn = tg, containerName = "api_container", containerPort = 8080 }])), StringComparison.Ordinal);
        Assert.Contains("needs a tcp port",
            await Rejected(Spec([new { targetGroupArn = tg, containerName = "api_container", containerPort = 5353 }])), StringComparison.Ordinal);
        Assert.Contains("loadBalancers can have at most 5 items",
            await Rejected(Spec(Enumerable.Range(0, 6).Select(i => (object)new { targetGroupArn = tg + i, containerName = "api_container", containerPort = 80 }).ToArray())), StringComparison.Ordinal);
        Assert.Contains("Only one service registry is supported",
            await Rejected(Spec(registries: [new { registryArn = srvArn, containerName = "api_container", containerPort = 80 }, new { registryArn = srvArn, containerName = "api_container", containerPort = 10080 }])), StringComparison.Ordinal);
        Assert.Contains("does not exist",
            await Rejected(Spec(registries: [new { registryArn = "arn:aws:servicediscovery:us-east-1:000000000000:service/srv-nosuch", containerName = "api_container", containerPort = 80 }])), StringComparison.Ordinal);
        Assert.Contains("you must specify containerName and containerPort",
            await Rejected(Spec(registries: [new { registryArn = srvArn }])), StringComparison.Ordinal);

        // Nothing was half-created.
        Assert.Equal(before, (await server.SeedAsync("ListServices", new { cluster })).GetProperty("serviceArns").GetArrayLength());

        // A target group that does not exist.
        Assert.Contains($"The target group {tg} does not exist",
            await Rejected(Spec([new { targetGroupArn = tg, containerName = "api_container", containerPort = 80 }])), StringComparison.Ordinal);

        // Two target groups for one container (one per port) and an SRV registry on port 80: the seed scenario's shape.
        var httpGroup = await server.CreateTargetGroupAsync(EcsServer.Unique("echo-http"));
        var grpcGroup = await server.CreateTargetGroupAsync(EcsServer.Unique("echo-grpc"), grpc: true);
        var good = (await Ecs.OkAsync("create-service", "--cli-input-json", server.InputFile("good.json", JsonSerializer.Serialize(new
        {
            cluster, serviceName = EcsServer.Unique("echoservice"), taskDefinition = td, desiredCount = 0,
            loadBalancers = new[]
            {
                new { targetGroupArn = httpGroup, containerName = "api_container", containerPort = 80 },
                new { targetGroupArn = grpcGroup, containerName = "api_container", containerPort = 10080 },
            },
            serviceRegistries = new[] { new { registryArn = srvArn, containerName = "api_container", containerPort = 80 } },
        })))).GetProperty("service");
        Assert.Equal(2, good.GetProperty("loadBalancers").GetArrayLength());
        Assert.Equal(srvArn, Assert.Single(good.GetProperty("serviceRegistries").EnumerateArray()).Str("registryArn"));
    }

    [Fact]
    public async Task Tags_are_added_listed_and_removed()
    {
        var (cluster, _) = await SetupAsync();
        var arn = $"arn:aws:ecs:us-east-1:000000000000:cluster/{cluster}";
        await Ecs.OkAsync("tag-resource", "--resource-arn", arn, "--tags", "key=env,value=test", "key=owner,value=edge");
        var tags = (await Ecs.OkAsync("list-tags-for-resource", "--resource-arn", arn)).GetProperty("tags").EnumerateArray()
            .Select(t => $"{t.Str("key")}={t.Str("value")}").ToList();
        Assert.Equal(["env=test", "owner=edge"], tags);
        await Ecs.OkAsync("untag-resource", "--resource-arn", arn, "--tag-keys", "env");
        Assert.Single((await Ecs.OkAsync("list-tags-for-resource", "--resource-arn", arn)).GetProperty("tags").EnumerateArray());
        await Ecs.FailsAsync("InvalidParameterException", "TagResource", "tag-resource", "--resource-arn", arn, "--tags", "key=aws:x,value=y");
        await Ecs.FailsAsync("ClusterNotFoundException", "ListTagsForResource", "list-tags-for-resource", "--resource-arn", "arn:aws:ecs:us-east-1:000000000000:cluster/nosuch");
    }
}
