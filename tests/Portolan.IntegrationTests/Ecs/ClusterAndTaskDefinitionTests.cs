using Portolan.IntegrationTests.Ecs.Support;
using Portolan.IntegrationTests.Support;

namespace Portolan.IntegrationTests.Ecs;

/// <summary>Clusters and task definitions with the real aws CLI: create, describe, list, delete and the errors ECS gives.</summary>
public sealed class ClusterAndTaskDefinitionTests(EcsServer server) : IClassFixture<EcsServer>
{
    private EcsCli Ecs => server.Ecs;

    [Fact]
    public async Task Cluster_is_created_described_listed_and_deleted()
    {
        var name = EcsServer.Unique("demo");
        var created = (await Ecs.OkAsync("create-cluster", "--cluster-name", name, "--tags", "key=team,value=edge")).GetProperty("cluster");
        Assert.Equal($"arn:aws:ecs:us-east-1:000000000000:cluster/{name}", created.Str("clusterArn"));
        Assert.Equal(name, created.Str("clusterName"));
        Assert.Equal("ACTIVE", created.Str("status"));
        Assert.Equal(0, created.GetProperty("runningTasksCount").GetInt32());
        Assert.Equal(0, created.GetProperty("activeServicesCount").GetInt32());
        Assert.Equal("containerInsights=disabled", Setting(created));
        Assert.Equal("team=edge", Tag(created));

        // Creating an ACTIVE cluster again returns it, as ECS does.
        var again = (await Ecs.OkAsync("create-cluster", "--cluster-name", name)).GetProperty("cluster");
        Assert.Equal(created.Str("clusterArn"), again.Str("clusterArn"));

        var described = await Ecs.OkAsync("describe-clusters", "--clusters", name, "nosuch-cluster", "--include", "TAGS");
        var cluster = Assert.Single(described.GetProperty("clusters").EnumerateArray());
        Assert.Equal("team=edge", Tag(cluster));
        var failure = Assert.Single(described.GetProperty("failures").EnumerateArray());
        Assert.Equal("arn:aws:ecs:us-east-1:000000000000:cluster/nosuch-cluster", failure.Str("arn"));
        Assert.Equal("MISSING", failure.Str("reason"));

        var listed = await Ecs.OkAsync("list-clusters");
        Assert.Contains(created.Str("clusterArn"), listed.GetProperty("clusterArns").EnumerateArray().Select(a => a.GetString()));

        var deleted = (await Ecs.OkAsync("delete-cluster", "--cluster", created.Str("clusterArn"))).GetProperty("cluster");
        Assert.Equal("INACTIVE", deleted.Str("status"));
        var inactive = Assert.Single((await Ecs.OkAsync("describe-clusters", "--clusters", name)).GetProperty("clusters").EnumerateArray());
        Assert.Equal("INACTIVE", inactive.Str("status"));
        Assert.DoesNotContain(created.Str("clusterArn"), (await Ecs.OkAsync("list-clusters")).GetProperty("clusterArns").EnumerateArray().Select(a => a.GetString()));

        Assert.Equal("Cluster not found.", await Ecs.FailsAsync("ClusterNotFoundException", "DeleteCluster", "delete-cluster", "--cluster", name));
        await Ecs.FailsAsync("InvalidParameterException", "CreateCluster", "create-cluster", "--cluster-name", "bad name!");
    }

    [Fact]
    public async Task Cluster_with_a_service_cannot_be_deleted()
    {
        var cluster = await server.SeedClusterAsync(EcsServer.Unique("busy"));
        var td = await server.SeedTaskDefinitionAsync(new { family = EcsServer.Unique("idle"), containerDefinitions = new[] { new { name = "app", image = "busybox", command = new[] { "sleep", "60" } } } });
        await server.SeedAsync("CreateService", new { cluster, serviceName = "svc", taskDefinition = td, desiredCount = 0 });

        var message = await Ecs.FailsAsync("ClusterContainsServicesException", "DeleteCluster", "delete-cluster", "--cluster", cluster);
        Assert.Equal("The Cluster cannot be deleted while Services are active.", message);
    }

    [Fact]
    public async Task Task_definition_revisions_are_registered_described_listed_and_deregistered()
    {
        var family = EcsServer.Unique("echo");
        var containers = """
            [{"name": "api_container", "image": "example/echo:latest", "essential": true, "memory": 256,
              "command": ["/usr/bin/env"], "workingDirectory": "/tmp",
              "portMappings": [{"containerPort": 80, "hostPort": 0, "protocol": "tcp", "name": "http", "appProtocol": "http"},
                               {"containerPort": 10080, "name": "grpc", "appProtocol": "grpc"}],
              "environment": [{"name": "MODE", "value": "echo"}],
              "healthCheck": {"command": ["CMD-SHELL", "exit 0"], "interval": 5},
              "logConfiguration": {"logDriver": "json-file", "options": {"max-size": "10m"}}}]
            """;
        var first = (await Ecs.OkAsync("register-task-definition", "--family", family, "--network-mode", "bridge",
            "--container-definitions", containers, "--tags", "key=app,value=echo")).GetProperty("taskDefinition");
        Assert.Equal($"arn:aws:ecs:us-east-1:000000000000:task-definition/{family}:1", first.Str("taskDefinitionArn"));
        Assert.Equal(1, first.GetProperty("revision").GetInt32());
        Assert.Equal("ACTIVE", first.Str("status"));
        Assert.Equal("bridge", first.Str("networkMode"));
        Assert.Equal(["EC2", "EXTERNAL"], first.GetProperty("compatibilities").EnumerateArray().Select(c => c.GetString()!));
        var container = Assert.Single(first.GetProperty("containerDefinitions").EnumerateArray());
        Assert.Equal(0, container.GetProperty("cpu").GetInt32());
        Assert.Equal(["80/0/tcp/http", "10080/0/tcp/grpc"], container.GetProperty("portMappings").EnumerateArray()
            .Select(p => $"{p.GetProperty("containerPort")}/{p.GetProperty("hostPort")}/{p.Str("protocol")}/{p.Str("name")}"));
        var health = container.GetProperty("healthCheck");
        Assert.Equal(5, health.GetProperty("interval").GetInt32());
        Assert.Equal(5, health.GetProperty("timeout").GetInt32());
        Assert.Equal(3, health.GetProperty("retries").GetInt32());
        // Members Portolan does not act on are kept and echoed as given.
        Assert.Equal("10m", container.GetProperty("logConfiguration").GetProperty("options").Str("max-size"));
        Assert.Equal(0, container.GetProperty("mountPoints").GetArrayLength());

        var second = (await Ecs.OkAsync("register-task-definition", "--family", family, "--container-definitions", containers)).GetProperty("taskDefinition");
        Assert.Equal(2, second.GetProperty("revision").GetInt32());

        var latest = await Ecs.OkAsync("describe-task-definition", "--task-definition", family, "--include", "TAGS");
        Assert.Equal(2, latest.GetProperty("taskDefinition").GetProperty("revision").GetInt32());
        Assert.Equal(0, latest.GetProperty("tags").GetArrayLength());
        var byArn = await Ecs.OkAsync("describe-task-definition", "--task-definition", first.Str("taskDefinitionArn"), "--include", "TAGS");
        Assert.Equal("app=echo", Tag(byArn));

        var desc = await Ecs.OkAsync("list-task-definitions", "--family-prefix", family, "--sort", "DESC");
        Assert.Equal([second.Str("taskDefinitionArn"), first.Str("taskDefinitionArn")], desc.GetProperty("taskDefinitionArns").EnumerateArray().Select(a => a.GetString()!));

        var deregistered = (await Ecs.OkAsync("deregister-task-definition", "--task-definition", $"{family}:1")).GetProperty("taskDefinition");
        Assert.Equal("INACTIVE", deregistered.Str("status"));
        Assert.True(deregistered.TryGetProperty("deregisteredAt", out _));
        var active = await Ecs.OkAsync("list-task-definitions", "--family-prefix", family);
        Assert.Equal([second.Str("taskDefinitionArn")], active.GetProperty("taskDefinitionArns").EnumerateArray().Select(a => a.GetString()!));
        var inactive = await Ecs.OkAsync("list-task-definitions", "--family-prefix", family, "--status", "INACTIVE");
        Assert.Equal([first.Str("taskDefinitionArn")], inactive.GetProperty("taskDefinitionArns").EnumerateArray().Select(a => a.GetString()!));

        var families = await Ecs.OkAsync("list-task-definition-families", "--family-prefix", family);
        Assert.Equal([family], families.GetProperty("families").EnumerateArray().Select(a => a.GetString()!));

        Assert.Equal("Unable to describe task definition.",
            await Ecs.FailsAsync("ClientException", "DescribeTaskDefinition", "describe-task-definition", "--task-definition", $"{family}:9"));
    }

    [Theory]
    [InlineData("""[{"name": "a"}]""", "Container.image should not be null or empty.")]
    [InlineData("""[{"image": "x"}]""", "Container.name should not be null or empty.")]
    [InlineData("""[{"name": "a", "image": "x"}, {"name": "a", "image": "y"}]""", "Duplicate container name")]
    [InlineData("""[{"name": "a", "image": "x", "essential": false}]""", "At least one essential container is required")]
    [InlineData("""[{"name": "a", "image": "x", "portMappings": [{"containerPort": 70000}]}]""", "Invalid containerPort 70000")]
    [InlineData("""[{"name": "a", "image": "x", "healthCheck": {"command": ["CMD-SHELL", "true"], "interval": 1}}]""", "Invalid 'healthCheck.interval' setting")]
    [InlineData("""[{"name": "a", "image": "x", "healthCheck": {"command": ["curl", "-f", "http://localhost/"]}}]""", "Invalid healthCheck command")]
    public async Task Bad_task_definitions_are_rejected_with_ClientException(string containers, string message)
    {
        var family = EcsServer.Unique("bad");
        var error = await Ecs.FailsAsync("ClientException", "RegisterTaskDefinition", "register-task-definition", "--family", family, "--container-definitions", containers);
        Assert.Contains(message, error, StringComparison.Ordinal);
        // Nothing was registered.
        Assert.Equal(0, (await server.SeedAsync("ListTaskDefinitions", new { familyPrefix = family })).GetProperty("taskDefinitionArns").GetArrayLength());
    }

    private static string Setting(System.Text.Json.JsonElement cluster)
    {
        var s = Assert.Single(cluster.GetProperty("settings").EnumerateArray());
        return $"{s.Str("name")}={s.Str("value")}";
    }

    private static string Tag(System.Text.Json.JsonElement resource)
    {
        var t = Assert.Single(resource.GetProperty("tags").EnumerateArray());
        return $"{t.Str("key")}={t.Str("value")}";
    }
}
