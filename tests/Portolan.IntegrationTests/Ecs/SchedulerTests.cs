using System.Diagnostics;
using System.Text.Json;
using Portolan.IntegrationTests.Ecs.Support;
using Portolan.IntegrationTests.Support;

namespace Portolan.IntegrationTests.Ecs;

/// <summary>
/// The service scheduler with real processes and the real aws CLI: desired counts kept, killed processes replaced,
/// failing tasks backed off, and a crashing deployment stopped by the circuit breaker and rolled back.
/// </summary>
public sealed class SchedulerTests(EcsServer server) : IClassFixture<EcsServer>
{
    private EcsCli Ecs => server.Ecs;

    private static int Running(JsonElement svc) => svc.GetProperty("runningCount").GetInt32();

    private static List<string> Events(JsonElement svc) => svc.GetProperty("events").EnumerateArray().Select(e => e.Str("message")).Reverse().ToList();

    private async Task<(string Cluster, string TaskDefinition)> SetupAsync()
    {
        var cluster = await server.SeedClusterAsync(EcsServer.Unique("sched"));
        var td = await server.SeedTaskDefinitionAsync(new
        {
            family = EcsServer.Unique("sleeper"),
            containerDefinitions = new[] { new { name = "app", image = "x", command = new[] { "sleep", "600" }, portMappings = new[] { new { containerPort = 8080 } } } },
        });
        return (cluster, td);
    }

    [Fact]
    public async Task Service_keeps_its_desired_count_and_replaces_a_killed_task()
    {
        var (cluster, td) = await SetupAsync();
        var name = EcsServer.Unique("keeper");
        await Ecs.OkAsync("create-service", "--cluster", cluster, "--service-name", name, "--task-definition", td, "--desired-count", "2");
        var svc = await server.WaitForServiceAsync(cluster, name, s => Events(s).Contains($"(service {name}) has reached a steady state."), "a steady state");
        Assert.Equal(2, Running(svc));
        var deployment = Assert.Single(svc.GetProperty("deployments").EnumerateArray());
        Assert.Equal(("COMPLETED", 2), (deployment.Str("rolloutState"), deployment.GetProperty("runningCount").GetInt32()));
        Assert.Matches($@"^\(service {name}\) has started 2 tasks: \(task [0-9a-f]{{32}}\) \(task [0-9a-f]{{32}}\)\.$", Events(svc)[0]);

        // Scale to 3.
        var updated = (await Ecs.OkAsync("update-service", "--cluster", cluster, "--service", name, "--desired-count", "3")).GetProperty("service");
        Assert.Equal(3, updated.GetProperty("desiredCount").GetInt32());
        await server.WaitForServiceAsync(cluster, name, s => Running(s) == 3, "3 running tasks");
        var tasks = (await Ecs.OkAsync("list-tasks", "--cluster", cluster, "--service-name", name)).GetProperty("taskArns").EnumerateArray().Select(a => a.GetString()!).ToList();
        Assert.Equal(3, tasks.Count);

        // Kill one task's process: its task stops and another takes its place.
        var victim = (await server.SeedAsync("DescribeTasks", new { cluster, tasks = new[] { tasks[0] } })).GetProperty("tasks")[0];
        using (Process.Start("kill", ["-KILL", victim.GetProperty("containers")[0].Str("runtimeId")])) { }
        var dead = await server.WaitForTaskAsync(cluster, tasks[0], t => t.Str("lastStatus") == "STOPPED", "STOPPED");
        Assert.Equal("EssentialContainerExited", dead.Str("stopCode"));
        Assert.Equal(137, dead.GetProperty("containers")[0].GetProperty("exitCode").GetInt32());
        await server.WaitForServiceAsync(cluster, name, s => Running(s) == 3 && server.TaskArnsAsync(cluster, name).Result.All(a => a != tasks[0]), "a replacement");
        var running = await server.TaskArnsAsync(cluster, name);
        Assert.Equal(3, running.Count);
        Assert.DoesNotContain(tasks[0], running);

        // Delete with --force: DRAINING, every task stopped, then INACTIVE.
        Assert.Equal("DRAINING", (await Ecs.OkAsync("delete-service", "--cluster", cluster, "--service", name, "--force")).GetProperty("service").Str("status"));
        await server.WaitForServiceAsync(cluster, name, s => s.Str("status") == "INACTIVE", "INACTIVE");
        Assert.Empty(await server.TaskArnsAsync(cluster, name));
    }

    [Fact]
    public async Task A_crashing_task_definition_trips_the_circuit_breaker_and_rolls_back()
    {
        var (cluster, good) = await SetupAsync();
        var name = EcsServer.Unique("breaker");
        await Ecs.OkAsync("create-service", "--cluster", cluster, "--service-name", name, "--task-definition", good, "--desired-count", "2",
            "--deployment-configuration", "deploymentCircuitBreaker={enable=true,rollback=true},maximumPercent=200,minimumHealthyPercent=100");
        var steady = await server.WaitForServiceAsync(cluster, name, s => s.GetProperty("deployments")[0].Str("rolloutState") == "COMPLETED", "the first deployment completed");
        var goodDeployment = steady.GetProperty("deployments")[0].Str("id");
        var goodTasks = await server.TaskArnsAsync(cluster, name);

        var family = good[(good.LastIndexOf('/') + 1)..good.LastIndexOf(':')];
        var bad = await server.SeedTaskDefinitionAsync(new
        {
            family, containerDefinitions = new[] { new { name = "app", image = "x", command = new[] { "sh", "-c", "echo starting; exit 1" }, portMappings = new[] { new { containerPort = 8080 } } } },
        });
        var rolling = (await Ecs.OkAsync("update-service", "--cluster", cluster, "--service", name, "--task-definition", bad)).GetProperty("service");
        var badDeployment = rolling.GetProperty("deployments")[0].Str("id");
        Assert.Equal(2, rolling.GetProperty("deployments").GetArrayLength());

        var rolledBack = await server.WaitForServiceAsync(cluster, name,
            s => Events(s).Contains($"(service {name}) rolling back to deployment {goodDeployment}."), "a rollback");
        var events = Events(rolledBack);
        Assert.Contains($"(service {name}) (deployment {badDeployment}) deployment failed: tasks failed to start.", events);
        Assert.Equal(good, rolledBack.Str("taskDefinition"));
        var deployments = rolledBack.GetProperty("deployments").EnumerateArray().ToList();
        Assert.Equal((goodDeployment, "PRIMARY"), (deployments[0].Str("id"), deployments[0].Str("status")));
        var failed = deployments.Single(d => d.Str("id") == badDeployment);
        Assert.Equal("FAILED", failed.Str("rolloutState"));
        Assert.Equal("ECS deployment circuit breaker: tasks failed to start.", failed.Str("rolloutStateReason"));
        Assert.True(failed.GetProperty("failedTasks").GetInt32() >= 3);

        // The good tasks served throughout (minimumHealthyPercent 100): the same two are still running.
        var after = await server.WaitForServiceAsync(cluster, name, s => s.GetProperty("deployments")[0].Str("rolloutState") == "COMPLETED", "the rollback completed");
        Assert.Equal(2, Running(after));
        Assert.Equal(goodTasks.Order(), (await server.TaskArnsAsync(cluster, name)).Order());
        await server.SeedAsync("DeleteService", new { cluster, service = name, force = true });
    }

    [Fact]
    public async Task A_task_that_keeps_failing_is_restarted_with_backoff_and_the_service_says_so()
    {
        var cluster = await server.SeedClusterAsync(EcsServer.Unique("sched"));
        // With a health check the task can never count as healthy (which would reset the backoff) before it dies.
        var td = await server.SeedTaskDefinitionAsync(new
        {
            family = EcsServer.Unique("crasher"),
            containerDefinitions = new[] { new { name = "app", image = "x", command = new[] { "sh", "-c", "exit 2" }, healthCheck = new { command = new[] { "CMD", "true" } } } },
        });
        var name = EcsServer.Unique("crashloop");
        await server.SeedAsync("CreateService", new { cluster, serviceName = name, taskDefinition = td, desiredCount = 1 });
        var svc = await server.WaitForServiceAsync(cluster, name,
            s => Events(s).Any(e => e.EndsWith("is unable to consistently start tasks successfully. For more information, see the Troubleshooting section of the Amazon ECS Developer Guide.", StringComparison.Ordinal)),
            "the throttling event");
        // The scheduler says so when it holds back the fourth launch: three starts, each after a longer wait, came before.
        var events = Events(svc);
        var throttled = events.FindIndex(e => e.Contains("is unable to consistently start tasks", StringComparison.Ordinal));
        Assert.True(3 == events.Take(throttled).Count(e => e.Contains("has started 1 tasks", StringComparison.Ordinal)), string.Join("\n", events));
        Assert.Equal("IN_PROGRESS", svc.GetProperty("deployments")[0].Str("rolloutState"));
        await server.SeedAsync("DeleteService", new { cluster, service = name, force = true });
    }
}
