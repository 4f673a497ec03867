using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Portolan.IntegrationTests.Ecs.Support;
using Portolan.IntegrationTests.Support;

namespace Portolan.IntegrationTests.Ecs;

/// <summary>
/// RunTask, StopTask, DescribeTasks and ListTasks with the real aws CLI, against tasks that are real processes: ports,
/// environment, logs, exits, health checks and start failures.
/// </summary>
public sealed class TaskRuntimeTests(EcsServer server) : IClassFixture<EcsServer>
{
    private EcsCli Ecs => server.Ecs;

    private async Task<string> ClusterAsync() => await server.SeedClusterAsync(EcsServer.Unique("rt"));

    private static bool Stopped(JsonElement t) => t.Str("lastStatus") == "STOPPED";

    private static bool Running(JsonElement t) => t.Str("lastStatus") == "RUNNING";

    [Fact]
    public async Task Run_task_starts_a_process_that_learns_its_ports_and_stop_task_stops_it()
    {
        var cluster = await ClusterAsync();
        var family = EcsServer.Unique("web");
        var containers = """
            [{"name": "web", "image": "example/web:1",
              "command": ["sh", "-c", "env | grep -E '^(PORT|PORTOLAN_)' | sort; exec sleep 600"],
              "portMappings": [{"containerPort": 80}, {"containerPort": 9090, "name": "metrics"}]}]
            """;
        await Ecs.OkAsync("register-task-definition", "--family", family, "--container-definitions", containers);

        var run = await Ecs.OkAsync("run-task", "--cluster", cluster, "--task-definition", family, "--started-by", "tester");
        Assert.Equal(0, run.GetProperty("failures").GetArrayLength());
        var started = Assert.Single(run.GetProperty("tasks").EnumerateArray());
        var arn = started.Str("taskArn");
        Assert.Matches($"^arn:aws:ecs:us-east-1:000000000000:task/{cluster}/[0-9a-f]{{32}}$", arn);
        Assert.Equal("RUNNING", started.Str("desiredStatus"));
        Assert.Equal("tester", started.Str("startedBy"));
        Assert.Equal($"family:{family}", started.Str("group"));

        await server.WaitForTaskAsync(cluster, arn, Running, "RUNNING");
        var task = Assert.Single((await Ecs.OkAsync("describe-tasks", "--cluster", cluster, "--tasks", arn)).GetProperty("tasks").EnumerateArray());
        Assert.Equal("RUNNING", task.Str("lastStatus"));
        task.Time("startedAt");
        task.Time("pullStartedAt");
        var container = Assert.Single(task.GetProperty("containers").EnumerateArray());
        Assert.Equal("RUNNING", container.Str("lastStatus"));
        Assert.Equal("example/web:1", container.Str("image"));
        var bindings = container.GetProperty("networkBindings").EnumerateArray().ToDictionary(b => b.GetProperty("containerPort").GetInt32());
        Assert.Equal([80, 9090], bindings.Keys.Order());
        Assert.All(bindings.Values, b => Assert.Equal(("0.0.0.0", "tcp"), (b.Str("bindIP"), b.Str("protocol"))));
        var http = bindings[80].GetProperty("hostPort").GetInt32();
        var metrics = bindings[9090].GetProperty("hostPort").GetInt32();
        Assert.NotEqual(http, metrics);
        Assert.True(Directory.Exists($"/proc/{container.Str("runtimeId")}"), "the process runs");

        var log = await WaitForLogAsync(arn, "web", "PORT_METRICS");
        Assert.Contains($"PORT={http}\n", log, StringComparison.Ordinal);
        Assert.Contains($"PORTOLAN_PORT_80={http}\n", log, StringComparison.Ordinal);
        Assert.Contains($"PORTOLAN_PORT_9090={metrics}\n", log, StringComparison.Ordinal);
        Assert.Contains($"PORTOLAN_PORT_METRICS={metrics}\n", log, StringComparison.Ordinal);
        Assert.Contains($"PORTOLAN_TASK_ARN={arn}\n", log, StringComparison.Ordinal);
        Assert.Contains("PORTOLAN_HOST_ADDRESS=127.0.0.1\n", log, StringComparison.Ordinal);

        Assert.Contains(arn, (await Ecs.OkAsync("list-tasks", "--cluster", cluster, "--family", family)).GetProperty("taskArns").EnumerateArray().Select(a => a.GetString()));

        var stopping = (await Ecs.OkAsync("stop-task", "--cluster", cluster, "--task", arn, "--reason", "done for today")).GetProperty("task");
        Assert.Equal("STOPPED", stopping.Str("desiredStatus"));
        var stopped = await server.WaitForTaskAsync(cluster, arn, Stopped, "STOPPED");
        Assert.Equal(("UserInitiated", "done for today"), (stopped.Str("stopCode"), stopped.Str("stoppedReason")));
        var exited = Assert.Single(stopped.GetProperty("containers").EnumerateArray());
        Assert.Equal(("STOPPED", 143), (exited.Str("lastStatus"), exited.GetProperty("exitCode").GetInt32()));
        // (DescribeTasks through the SDK-style request: timestamps are epoch seconds.)
        Assert.True(stopped.GetProperty("stoppedAt").GetDecimal() >= stopped.GetProperty("stoppingAt").GetDecimal());
        Assert.False(Directory.Exists($"/proc/{container.Str("runtimeId")}"), "the process is gone");

        Assert.Contains(arn, (await Ecs.OkAsync("list-tasks", "--cluster", cluster, "--desired-status", "STOPPED")).GetProperty("taskArns").EnumerateArray().Select(a => a.GetString()));
        Assert.DoesNotContain(arn, (await Ecs.OkAsync("list-tasks", "--cluster", cluster)).GetProperty("taskArns").EnumerateArray().Select(a => a.GetString()));
    }

    [Fact]
    public async Task An_essential_container_exit_stops_the_task_and_a_sidecar_exit_does_not()
    {
        var cluster = await ClusterAsync();
        var family = EcsServer.Unique("exits");
        var td = await server.SeedTaskDefinitionAsync(new
        {
            family,
            containerDefinitions = new object[]
            {
                new { name = "main", image = "x", command = new[] { "sh", "-c", "sleep 1; exit 3" } },
                new { name = "init", image = "x", essential = false, command = new[] { "true" } },
            },
        });
        var arn = (await server.SeedAsync("RunTask", new { cluster, taskDefinition = td })).GetProperty("tasks")[0].Str("taskArn");
        var stopped = await server.WaitForTaskAsync(cluster, arn, Stopped, "STOPPED");
        Assert.Equal(("EssentialContainerExited", "Essential container in task exited"), (stopped.Str("stopCode"), stopped.Str("stoppedReason")));
        var exits = stopped.GetProperty("containers").EnumerateArray().ToDictionary(c => c.Str("name"), c => c.GetProperty("exitCode").GetInt32());
        Assert.Equal(3, exits["main"]);
        Assert.Equal(0, exits["init"]);
    }

    [Fact]
    public async Task A_command_that_cannot_start_fails_the_task_to_start()
    {
        var cluster = await ClusterAsync();
        var td = await server.SeedTaskDefinitionAsync(new { family = EcsServer.Unique("broken"), containerDefinitions = new[] { new { name = "app", image = "x", command = new[] { "no-such-binary-here" } } } });
        var arn = (await Ecs.OkAsync("run-task", "--cluster", cluster, "--task-definition", td)).GetProperty("tasks")[0].Str("taskArn");
        var stopped = await server.WaitForTaskAsync(cluster, arn, Stopped, "STOPPED");
        Assert.Equal("TaskFailedToStart", stopped.Str("stopCode"));
        Assert.Equal("CannotStartContainerError: exec: \"no-such-binary-here\": executable file not found in $PATH (container app)", stopped.Str("stoppedReason"));
    }

    [Fact]
    public async Task A_fixed_host_port_in_use_fails_the_task_to_start()
    {
        using var squatter = new TcpListener(IPAddress.Any, 0);
        squatter.Start();
        var port = ((IPEndPoint)squatter.LocalEndpoint).Port;
        var cluster = await ClusterAsync();
        var td = await server.SeedTaskDefinitionAsync(new
        {
            family = EcsServer.Unique("fixed"),
            containerDefinitions = new[] { new { name = "app", image = "x", command = new[] { "sleep", "60" }, portMappings = new[] { new { containerPort = 80, hostPort = port } } } },
        });
        var arn = (await server.SeedAsync("RunTask", new { cluster, taskDefinition = td })).GetProperty("tasks")[0].Str("taskArn");
        var stopped = await server.WaitForTaskAsync(cluster, arn, Stopped, "STOPPED");
        Assert.Equal("TaskFailedToStart", stopped.Str("stopCode"));
        Assert.Contains($"Bind for 0.0.0.0:{port} failed: port is already allocated", stopped.Str("stoppedReason"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Container_health_checks_decide_the_task_health()
    {
        var cluster = await ClusterAsync();
        var td = await server.SeedTaskDefinitionAsync(new
        {
            family = EcsServer.Unique("health"),
            containerDefinitions = new[]
            {
                new { name = "good", image = "x", command = new[] { "sleep", "600" }, portMappings = new[] { new { containerPort = 80 } },
                      healthCheck = new { command = new[] { "CMD-SHELL", "test -n \"$PORT\"" }, interval = 5 } },
            },
        });
        var arn = (await server.SeedAsync("RunTask", new { cluster, taskDefinition = td })).GetProperty("tasks")[0].Str("taskArn");
        var healthy = await server.WaitForTaskAsync(cluster, arn, t => t.Str("healthStatus") == "HEALTHY", "HEALTHY");
        Assert.Equal("HEALTHY", healthy.GetProperty("containers")[0].Str("healthStatus"));

        var sick = await server.SeedTaskDefinitionAsync(new
        {
            family = EcsServer.Unique("sick"),
            containerDefinitions = new[] { new { name = "bad", image = "x", command = new[] { "sleep", "600" }, healthCheck = new { command = new[] { "CMD", "false" }, interval = 5, retries = 1 } } },
        });
        var sickArn = (await server.SeedAsync("RunTask", new { cluster, taskDefinition = sick })).GetProperty("tasks")[0].Str("taskArn");
        await server.WaitForTaskAsync(cluster, sickArn, t => t.Str("healthStatus") == "UNHEALTHY", "UNHEALTHY");
        foreach (var t in new[] { arn, sickArn }) await server.SeedAsync("StopTask", new { cluster, task = t });
    }

    private async Task<string> WaitForLogAsync(string arn, string container, string expected)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            var log = await server.LogAsync(arn, container);
            if (log.Contains(expected, StringComparison.Ordinal) || DateTime.UtcNow > deadline) return log;
            await Task.Delay(100);
        }
    }
}
