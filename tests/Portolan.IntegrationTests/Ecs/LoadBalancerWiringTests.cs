using System.Text.Json;
using Portolan.IntegrationTests.Ecs.Support;
using Portolan.IntegrationTests.Support;

namespace Portolan.IntegrationTests.Ecs;

/// <summary>
/// A service with two loadBalancers entries for one container (one target group per port): each RUNNING task is a target
/// in both groups at the host port its container port got, and leaves them (draining) before it stops.
/// </summary>
public sealed class LoadBalancerWiringTests(EcsServer server) : IClassFixture<EcsServer>
{
    [Fact]
    public async Task Tasks_are_registered_in_each_target_group_at_their_host_ports()
    {
        var httpGroup = await server.CreateTargetGroupAsync(EcsServer.Unique("echo-http"));
        var grpcGroup = await server.CreateTargetGroupAsync(EcsServer.Unique("echo-grpc"), grpc: true);
        var cluster = await server.SeedClusterAsync(EcsServer.Unique("lb"));
        var td = await server.SeedTaskDefinitionAsync(new
        {
            family = EcsServer.Unique("echo"),
            containerDefinitions = new[]
            {
                new { name = "api_container", image = "x", command = new[] { "sleep", "600" },
                      portMappings = new[] { new { containerPort = 80 }, new { containerPort = 10080 } } },
            },
        });
        var spec = server.InputFile("lb.json", JsonSerializer.Serialize(new
        {
            cluster, serviceName = "echoservice", taskDefinition = td, desiredCount = 2,
            loadBalancers = new[]
            {
                new { targetGroupArn = httpGroup, containerName = "api_container", containerPort = 80 },
                new { targetGroupArn = grpcGroup, containerName = "api_container", containerPort = 10080 },
            },
        }));
        await server.Ecs.OkAsync("create-service", "--cli-input-json", spec);

        var svc = await server.WaitForServiceAsync(cluster, "echoservice",
            s => s.GetProperty("events").EnumerateArray().Count(e => e.Str("message").Contains("registered 1 targets in", StringComparison.Ordinal)) == 4, "4 registrations");
        var events = svc.GetProperty("events").EnumerateArray().Select(e => e.Str("message")).ToList();
        Assert.Equal(2, events.Count(e => e == $"(service echoservice) registered 1 targets in (target-group {httpGroup})"));
        Assert.Equal(2, events.Count(e => e == $"(service echoservice) registered 1 targets in (target-group {grpcGroup})"));

        var expected = new Dictionary<string, List<string>> { [httpGroup] = [], [grpcGroup] = [] };
        foreach (var arn in await server.TaskArnsAsync(cluster, "echoservice"))
        {
            var task = await server.WaitForTaskAsync(cluster, arn, t => t.Str("lastStatus") == "RUNNING", "RUNNING");
            var bindings = task.GetProperty("containers")[0].GetProperty("networkBindings").EnumerateArray()
                .ToDictionary(b => b.GetProperty("containerPort").GetInt32(), b => b.GetProperty("hostPort").GetInt32());
            expected[httpGroup].Add($"127.0.0.1:{bindings[80]}");
            expected[grpcGroup].Add($"127.0.0.1:{bindings[10080]}");
        }
        foreach (var (group, targets) in expected)
            Assert.Equal(targets.Order(StringComparer.Ordinal), server.Targets(group));

        // Scale to 1: one task leaves both target groups before it stops.
        await server.Ecs.OkAsync("update-service", "--cluster", cluster, "--service", "echoservice", "--desired-count", "1");
        svc = await server.WaitForServiceAsync(cluster, "echoservice",
            s => s.GetProperty("runningCount").GetInt32() == 1 && s.GetProperty("events").EnumerateArray().Any(e => e.Str("message").Contains("deregistered 1 targets", StringComparison.Ordinal)), "one task left");
        Assert.Contains(svc.GetProperty("events").EnumerateArray(), e => e.Str("message") == "(service echoservice) has begun draining connections on 1 tasks.");
        foreach (var group in expected.Keys) Assert.Single(server.Targets(group));
        await server.SeedAsync("DeleteService", new { cluster, service = "echoservice", force = true });
    }
}
