using System.Globalization;
using System.Text.Json;
using Xunit.Abstractions;
using Portolan.IntegrationTests.Ecs.Support;
using Portolan.IntegrationTests.Support;
using Portolan.Testing;

namespace Portolan.IntegrationTests.Ecs;

/// <summary>
/// A task that hangs behind a load balancer is replaced, as ECS replaces it: a service of one examples/echo task in an
/// HTTP/1.1 target group with the fastest health check ELB allows; once the target is healthy the task's process is
/// frozen with SIGSTOP (it keeps its port, so the checks time out rather than being refused). The target group finds
/// it unhealthy, the scheduler stops the task with "Task failed ELB health checks in (target-group ARN)" and a service
/// event, and a replacement task becomes healthy and serves the listener. Driven with the real aws CLI, curl and kill
/// against the real <c>portolan serve</c>.
/// </summary>
public sealed class ElbHealthReplacementTests(EcsProcessServer server, ITestOutputHelper output) : IClassFixture<EcsProcessServer>
{
    private const string Cluster = "elbhealth", Service = "echoservice";

    [Fact]
    public async Task A_task_failing_ELB_health_checks_is_replaced()
    {
        var listenerPort = FreePorts.Next();
        // The smallest interval and thresholds ELB accepts (5 s, 2 s timeout, 2 checks each way); no deregistration
        // delay, so the frozen task is let go at once.
        var targetGroup = await AwsText("elbv2", "create-target-group", "--name", "elbhealth-http", "--protocol", "HTTP", "--protocol-version", "HTTP1",
            "--port", "80", "--target-type", "ip", "--vpc-id", "vpc-1", "--health-check-path", "/health", "--health-check-interval-seconds", "5",
            "--health-check-timeout-seconds", "2", "--healthy-threshold-count", "2", "--unhealthy-threshold-count", "2",
            "--query", "TargetGroups[0].TargetGroupArn", "--output", "text");
        await AwsText("elbv2", "modify-target-group-attributes", "--target-group-arn", targetGroup,
            "--attributes", "Key=deregistration_delay.timeout_seconds,Value=0");
        var loadBalancer = await AwsText("elbv2", "create-load-balancer", "--name", "elbhealth-alb", "--subnets", "subnet-1", "subnet-2",
            "--query", "LoadBalancers[0].LoadBalancerArn", "--output", "text");
        await AwsText("elbv2", "create-listener", "--load-balancer-arn", loadBalancer, "--protocol", "HTTP", "--port", Str(listenerPort),
            "--default-actions", $"Type=forward,TargetGroupArn={targetGroup}");

        await AwsText("ecs", "create-cluster", "--cluster-name", Cluster);
        // No container health check: a frozen process would fail that one too, and the race between the two checks
        // would decide the stop reason. stopTimeout 2: the frozen process ignores SIGTERM, so SIGKILL comes soon.
        var container = new
        {
            name = "api_container", image = "example/echo:latest", command = new[] { "dotnet", EchoBuild.Dll }, stopTimeout = 2,
            portMappings = new[] { new { containerPort = 80, hostPort = 0, name = "http" }, new { containerPort = 10080, hostPort = 0, name = "grpc" } },
        };
        await AwsText("ecs", "register-task-definition", "--family", "echo-elbhealth", "--network-mode", "bridge",
            "--container-definitions", JsonSerializer.Serialize(new[] { container }));
        await AwsText("ecs", "create-service", "--cluster", Cluster, "--service-name", Service, "--task-definition", "echo-elbhealth",
            "--desired-count", "1", "--health-check-grace-period-seconds", "2",
            "--load-balancers", $"targetGroupArn={targetGroup},containerName=api_container,containerPort=80");

        var (victimId, victimPort) = await HealthyTaskAsync(targetGroup, except: null);
        await TargetHealthAsync(targetGroup, victimPort, "healthy");

        var pid = await AwsText("ecs", "describe-tasks", "--cluster", Cluster, "--tasks", victimId,
            "--query", "tasks[0].containers[0].runtimeId", "--output", "text");
        var process = FrozenProcess.Of(int.Parse(pid, CultureInfo.InvariantCulture));
        Assert.Contains(EchoBuild.Dll, process.CommandLine, StringComparison.Ordinal);
        try
        {
            await Shell.OkAsync("kill", "-STOP", pid);

            // The target group finds the target unhealthy. The scheduler stops the task as soon as that is written, so
            // describe-target-health shows it only for an instant; the health checker's log records the crossing, and
            // the service event below gives the same reason.
            // Its checks time out (the frozen process still holds its port): Target.Timeout, "Request timed out".
            var crossing = $"Health of target:{targetGroup}/127.0.0.1:{victimPort}: Healthy -> Unhealthy. Target.Timeout: ";
            var logged = await Until.ValueAsync(() => Task.FromResult(server.Process.StdErr.Split('\n').FirstOrDefault(l => l.Contains(crossing, StringComparison.Ordinal))),
                l => l is not null, $"'{crossing}' in the server's log");
            output.WriteLine(logged!.Trim());
            var reason = logged![(logged.IndexOf(crossing, StringComparison.Ordinal) + crossing.Length)..].Trim();
            Assert.StartsWith("Request timed out", reason, StringComparison.Ordinal);

            // The task is stopped for it, and its frozen process is gone (SIGKILL after the stopTimeout).
            await Until.TrueAsync(async () => (await server.Api.EcsAsync("DescribeTasks", new { cluster = Cluster, tasks = new[] { victimId } }))
                .GetProperty("tasks")[0].Str("lastStatus") == "STOPPED", $"task {victimId} STOPPED");
            var stopped = await Aws("ecs", "describe-tasks", "--cluster", Cluster, "--tasks", victimId,
                "--query", "tasks[0].{lastStatus:lastStatus,desiredStatus:desiredStatus,stopCode:stopCode,stoppedReason:stoppedReason}");
            Assert.Equal(("STOPPED", "STOPPED", "ServiceSchedulerInitiated"), (stopped.Str("lastStatus"), stopped.Str("desiredStatus"), stopped.Str("stopCode")));
            Assert.StartsWith("Task failed ELB health checks in (target-group ", stopped.Str("stoppedReason"), StringComparison.Ordinal);
            Assert.Equal($"Task failed ELB health checks in (target-group {targetGroup})", stopped.Str("stoppedReason"));
            Assert.False(process.IsAlive, $"process {pid} outlived its task");

            // A replacement starts, becomes healthy, and the listener serves through it.
            var (newId, newPort) = await HealthyTaskAsync(targetGroup, except: victimId);
            await TargetHealthAsync(targetGroup, newPort, "healthy");
            var events = (await Aws("ecs", "describe-services", "--cluster", Cluster, "--services", Service, "--query", "services[0].events[].message"))
                .EnumerateArray().Select(e => e.GetString()!).ToList();
            Assert.Contains($"(service {Service}) (task {victimId}) (port {victimPort}) is unhealthy in (target-group {targetGroup}) due to (reason {reason}).", events);
            Assert.Contains($"(service {Service}) has started 1 tasks: (task {newId}).", events);
            var echoed = await Shell.OkAsync("curl", "-s", "--max-time", "10", $"http://127.0.0.1:{listenerPort}/again");
            Assert.Equal($"echo from task {newId} (port {newPort}): GET /again \n", echoed);
        }
        finally
        {
            // Never leave a frozen process behind, whatever happened above.
            if (process.IsAlive)
            {
                await Shell.RunAsync("kill", "-CONT", pid);
                await Shell.RunAsync("kill", "-KILL", pid);
            }
        }
    }

    /// <summary>Waits until the service runs one task (other than <paramref name="except"/>) and its target is healthy; returns its id and host port.</summary>
    private async Task<(string Id, int Port)> HealthyTaskAsync(string targetGroup, string? except)
    {
        var task = await Until.ValueAsync(async () =>
        {
            var ports = (await server.TaskPortsAsync(Cluster, Service)).Where(p => p.Key != except).ToList();
            if (ports.Count != 1) return default;
            var (id, port) = (ports[0].Key, ports[0].Value[80]);
            return (await server.HealthyTargetsAsync(targetGroup)).SequenceEqual([$"127.0.0.1:{port}"]) ? (id, port) : default;
        }, t => t.id is not null, except is null ? "the task healthy in the target group" : $"a replacement of {except} healthy in the target group");
        output.WriteLine($"task {task.id}: healthy at 127.0.0.1:{task.port}");
        return task;
    }

    /// <summary>describe-target-health: the target at <paramref name="port"/> is in <paramref name="state"/>; any other is draining.</summary>
    private async Task TargetHealthAsync(string targetGroup, int port, string state)
    {
        var lines = (await AwsText("elbv2", "describe-target-health", "--target-group-arn", targetGroup,
            "--query", "TargetHealthDescriptions[].[Target.Id,Target.Port,TargetHealth.State]", "--output", "text")).Split('\n');
        Assert.Contains($"127.0.0.1\t{port}\t{state}", lines);
        Assert.All(lines.Where(l => l != $"127.0.0.1\t{port}\t{state}"), l => Assert.EndsWith("\tdraining", l, StringComparison.Ordinal));
    }

    private async Task<JsonElement> Aws(params string[] args) => Json.Parse(await AwsText(args));

    /// <summary>Runs <c>aws ARGS</c> against the server; requires exit 0 and returns its output (trimmed).</summary>
    private async Task<string> AwsText(params string[] args)
    {
        var result = await server.Cli.RunAsync(args, CancellationToken.None);
        Assert.True(result.ExitCode == 0, $"aws {string.Join(' ', args)}\n{result}");
        output.WriteLine($"$ aws {string.Join(' ', args)}\n{result.StdOut.TrimEnd()}");
        return result.StdOut.Trim();
    }

    private static string Str(int value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>A process known by its PID and start time (from /proc), so that a recycled PID is never signalled.</summary>
    private sealed record FrozenProcess(int Pid, string StartTime, string CommandLine)
    {
        public static FrozenProcess Of(int pid) =>
            new(pid, StartTimeOf(pid) ?? throw new InvalidOperationException($"no process {pid}"),
                File.ReadAllText($"/proc/{pid}/cmdline").Replace('\0', ' '));

        public bool IsAlive => StartTimeOf(Pid) == StartTime;

        /// <summary>Field 22 of /proc/PID/stat (clock ticks after boot), counted after the parenthesised command name.</summary>
        private static string? StartTimeOf(int pid)
        {
            try
            {
                var stat = File.ReadAllText($"/proc/{pid}/stat");
                return stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[19];
            }
            catch (IOException)
            {
                return null;
            }
        }
    }
}
