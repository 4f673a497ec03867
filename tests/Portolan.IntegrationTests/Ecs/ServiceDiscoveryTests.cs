using System.Text.Json;
using Portolan.IntegrationTests.Ecs.Support;
using Portolan.IntegrationTests.Support;

namespace Portolan.IntegrationTests.Ecs;

/// <summary>
/// An ECS service with serviceRegistries, as the seed scenario writes it (create-service --cli-input-json): its tasks
/// appear in Cloud Map with ECS's attributes and in DNS (dig SRV answers their host ports), and leave both before their
/// processes are stopped.
/// </summary>
public sealed class ServiceDiscoveryTests(EcsServer server) : IClassFixture<EcsServer>
{
    private EcsCli Ecs => server.Ecs;

    private int DnsPort => server.Host.DnsUdpEndPoint!.Port;

    [Fact]
    public async Task Service_tasks_are_registered_in_Cloud_Map_and_answer_dig_SRV()
    {
        var ns = EcsServer.Unique("domaina");
        var (_, srvId, srvArn) = await server.SeedCloudMapServiceAsync(ns, "echoservice", ttl: 1);
        var cluster = await server.SeedClusterAsync(EcsServer.Unique("dns"));
        var family = EcsServer.Unique("echo");
        await server.SeedTaskDefinitionAsync(new
        {
            family, networkMode = "bridge",
            containerDefinitions = new[]
            {
                new { name = "api_container", image = "example/echo:latest", command = new[] { "sleep", "600" },
                      portMappings = new[] { new { containerPort = 80, hostPort = 0 }, new { containerPort = 10080, hostPort = 0 } } },
            },
        });
        var spec = server.InputFile("spec.json", JsonSerializer.Serialize(new
        {
            cluster, serviceName = "echoservice", taskDefinition = family, desiredCount = 1,
            serviceRegistries = new[] { new { registryArn = srvArn, containerName = "api_container", containerPort = 80 } },
        }));
        await Ecs.OkAsync("create-service", "--cli-input-json", spec);

        var instance = await WaitForInstancesAsync(srvId, 1);
        var task = Assert.Single(await server.TaskArnsAsync(cluster, "echoservice"));
        var described = (await server.SeedAsync("DescribeTasks", new { cluster, tasks = new[] { task } })).GetProperty("tasks")[0];
        var port80 = described.GetProperty("containers")[0].GetProperty("networkBindings").EnumerateArray()
            .Single(b => b.GetProperty("containerPort").GetInt32() == 80).GetProperty("hostPort").GetInt32();
        var taskId = task[(task.LastIndexOf('/') + 1)..];

        var attributes = Assert.Single(instance).Map("Attributes");
        Assert.Equal(taskId, Assert.Single(instance).Str("Id"));
        Assert.Equal("127.0.0.1", attributes["AWS_INSTANCE_IPV4"]);
        Assert.Equal(port80.ToString(System.Globalization.CultureInfo.InvariantCulture), attributes["AWS_INSTANCE_PORT"]);
        Assert.Equal(cluster, attributes["ECS_CLUSTER_NAME"]);
        Assert.Equal("echoservice", attributes["ECS_SERVICE_NAME"]);
        Assert.Equal(family, attributes["ECS_TASK_DEFINITION_FAMILY"]);
        Assert.Equal("us-east-1a", attributes["AVAILABILITY_ZONE"]);
        Assert.Equal("us-east-1", attributes["REGION"]);

        Assert.Equal([$"1 1 {port80} {taskId}.echoservice.{ns}."], await DigShort.QueryAsync(DnsPort, $"echoservice.{ns}", "SRV"));
        Assert.Equal(["127.0.0.1"], await DigShort.QueryAsync(DnsPort, $"echoservice.{ns}", "A"));

        // Scale to 3: three SRV records, one per task, each with its own port.
        await Ecs.OkAsync("update-service", "--cluster", cluster, "--service", "echoservice", "--desired-count", "3");
        await WaitForInstancesAsync(srvId, 3);
        var srv = await DigShort.QueryAsync(DnsPort, $"echoservice.{ns}", "SRV");
        Assert.Equal(3, srv.Count);
        Assert.Equal(3, srv.Select(r => r.Split(' ')[2]).Distinct().Count());

        // Scale back to 1: two tasks leave DNS, then stop.
        await Ecs.OkAsync("update-service", "--cluster", cluster, "--service", "echoservice", "--desired-count", "1");
        await WaitForInstancesAsync(srvId, 1);
        await server.WaitForServiceAsync(cluster, "echoservice", s => s.GetProperty("runningCount").GetInt32() == 1 && s.GetProperty("pendingCount").GetInt32() == 0, "one task");
        Assert.Single(await DigShort.QueryAsync(DnsPort, $"echoservice.{ns}", "SRV"));
        var stopped = await server.TaskArnsAsync(cluster, "echoservice", "STOPPED");
        Assert.Equal(2, stopped.Count);
        foreach (var arn in stopped)
        {
            var t = await server.WaitForTaskAsync(cluster, arn, x => x.Str("lastStatus") == "STOPPED", "STOPPED");
            Assert.Equal("ServiceSchedulerInitiated", t.Str("stopCode"));
            Assert.StartsWith("Scaling activity initiated by (deployment ecs-svc/", t.Str("stoppedReason"), StringComparison.Ordinal);
        }
        await server.SeedAsync("DeleteService", new { cluster, service = "echoservice", force = true });
        await WaitForInstancesAsync(srvId, 0);
    }

    private async Task<List<JsonElement>> WaitForInstancesAsync(string serviceId, int count)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (true)
        {
            var instances = (await server.SeedCloudMapAsync("ListInstances", new { ServiceId = serviceId })).GetProperty("Instances").EnumerateArray().ToList();
            if (instances.Count == count) return instances;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"{instances.Count} instances, not {count}");
            await Task.Delay(100);
        }
    }
}
