using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Portolan.Core.Cluster;

namespace Portolan.ClusterTests;

/// <summary>
/// Work that moves when a node dies, with real processes: an ECS service's tasks spread over both nodes and replaced
/// on the survivor after a <c>kill -9</c> of a node, and a Cloud Map health check taken over by the survivor. Driven
/// with the aws CLI, dig and the nodes' own endpoints; every wait has a deadline, none a timing assertion.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class TaskFailoverTests(ClusterFixture cluster) : IAsyncLifetime
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(5) };

    public Task InitializeAsync() => cluster.RestoreAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task A_service_runs_on_both_nodes_and_a_killed_nodes_tasks_are_replaced_on_the_survivor()
    {
        var a = cluster.A;
        var ecsCluster = "spread";
        var srvId = await cluster.CreateServiceAsync(a, "spread", "[{Type=A,TTL=5},{Type=SRV,TTL=5}]");
        var srvArn = Json(await a.Cli.RunAsync("servicediscovery", "get-service", "--id", srvId)).GetProperty("Service").GetProperty("Arn").GetString()!;
        var tgArn = Json(await a.Cli.RunAsync("elbv2", "create-target-group", "--name", "spread", "--protocol", "HTTP", "--port", "80",
            "--vpc-id", "vpc-1", "--target-type", "ip")).GetProperty("TargetGroups")[0].GetProperty("TargetGroupArn").GetString()!;
        await Ok(a, "ecs", "create-cluster", "--cluster-name", ecsCluster);
        // A tiny HTTP server on the host port ECS gives container port 80.
        var containers = JsonSerializer.Serialize(new[]
        {
            new
            {
                name = "web", image = "python:3", essential = true,
                command = new[] { "sh", "-c", "exec python3 -m http.server \"$PORTOLAN_PORT_80\" --bind 127.0.0.1" },
                portMappings = new[] { new { containerPort = 80, hostPort = 0 } },
            },
        });
        await Ok(a, "ecs", "register-task-definition", "--family", "spread-web", "--network-mode", "bridge", "--container-definitions", containers);
        await Ok(a, "ecs", "create-service", "--cluster", ecsCluster, "--service-name", "web", "--task-definition", "spread-web", "--desired-count", "4",
            "--service-registries", $"registryArn={srvArn},containerName=web,containerPort=80",
            "--load-balancers", $"targetGroupArn={tgArn},containerName=web,containerPort=80");

        var nodes = new Dictionary<string, Node>(StringComparer.Ordinal)
        {
            [await cluster.A.ContainerInstanceIdAsync()] = cluster.A,
            [await cluster.B.ContainerInstanceIdAsync()] = cluster.B,
        };
        Assert.Equal(2, nodes.Count);

        // 1. Four tasks, two on each node: each node's own process serves each of its tasks; DNS and the target group list all four.
        List<EcsTask> running = [];
        await Until.TrueAsync(async () =>
        {
            running = (await TasksAsync(a, ecsCluster)).Where(t => t.IsRunning).ToList();
            return running.Count == 4 && nodes.Keys.All(i => running.Count(t => t.Instance == i) == 2)
                && await ServedAsync(running, nodes)
                && await DnsAndTargetsFollowAsync(cluster.A, running, tgArn) && await DnsAndTargetsFollowAsync(cluster.B, running, tgArn);
        }, "two tasks on each node, registered in DNS and the target group");
        Assert.All(running, t => Assert.Equal($"arn:aws:ecs:us-east-1:000000000000:container-instance/{ecsCluster}/{t.Instance}", t.ContainerInstanceArn));

        // 2. kill -9 the leader node alone (its task processes live on, as after a crash of Portolan).
        var leader = (await cluster.A.MembersAsync()).Leader!;
        var dead = leader == "a" ? cluster.A : cluster.B;
        var survivor = leader == "a" ? cluster.B : cluster.A;
        var deadInstance = nodes.Single(n => n.Value == dead).Key;
        var survivorInstance = nodes.Single(n => n.Value == survivor).Key;
        var lost = running.Where(t => t.Instance == deadInstance).ToList();
        var orphans = lost.Select(t => (t.Pid, StartTicks: StartTicks(t.Pid))).ToList();
        try
        {
            await dead.SignalAsync("KILL");

            // Its tasks are STOPPED as ECS stops a lost host's tasks, and replaced on the survivor; DNS and the
            // target group follow.
            await Until.TrueAsync(async () =>
            {
                var tasks = await TasksAsync(survivor, ecsCluster);
                running = tasks.Where(t => t.IsRunning).ToList();
                return lost.All(l => tasks.Single(t => t.Arn == l.Arn) is { LastStatus: "STOPPED", DesiredStatus: "STOPPED" })
                    && running.Count == 4 && running.All(t => t.Instance == survivorInstance)
                    && await ServedAsync(running, nodes) && await DnsAndTargetsFollowAsync(survivor, running, tgArn);
            }, "the lost tasks to be replaced on the survivor");
            foreach (var stopped in (await TasksAsync(survivor, ecsCluster)).Where(t => lost.Any(l => l.Arn == t.Arn)))
            {
                Assert.Equal("TerminationNotice", stopped.StopCode);
                Assert.Equal($"Host {dead.Name} (container instance {deadInstance}) left the cluster.", stopped.StoppedReason);
            }

            // 3. The node comes back: the processes of its tasks, stopped by the cluster meanwhile, go.
            await cluster.StartNodeAsync(dead.Name);
            await Until.TrueAsync(() => Task.FromResult(orphans.All(o => StartTicks(o.Pid) != o.StartTicks)), "the returning node to stop its lost tasks' processes");
        }
        finally
        {
            foreach (var (pid, ticks) in orphans)
            {
                try
                {
                    if (ticks is not null && StartTicks(pid) == ticks) System.Diagnostics.Process.GetProcessById(pid).Kill(entireProcessTree: true);
                }
                catch (Exception e) when (e is ArgumentException or InvalidOperationException)
                {
                    // Gone meanwhile.
                }
            }

            await survivor.Cli.RunAsync("ecs", "delete-service", "--cluster", ecsCluster, "--service", "web", "--force");
        }
    }

    [Fact]
    public async Task A_health_check_of_a_killed_node_is_taken_over_and_an_instance_that_stops_leaves_dns_on_the_survivor()
    {
        // Two TCP targets on loopback addresses of their own, so each is one A record.
        using var up = new TargetServer(IPAddress.Parse("127.0.0.2"));
        var down = new TargetServer(IPAddress.Parse("127.0.0.3"));
        try
        {
            // Probed every second (the nodes run with --health-interval 1).
            var srvId = await cluster.CreateServiceAsync(cluster.A, "checked", "[{Type=A,TTL=5}]", "--health-check-config", "Type=TCP,FailureThreshold=1");

            // Both instances' checks owned by one node, X: the owner of a check is its rendezvous owner among the live nodes.
            var view = new ClusterView(0, [Member("a"), Member("b")], null, 0);
            string Owner(string instance) => view.OwnerOf($"health/instance:{srvId}/{instance}")!;
            var owner = Owner("down");
            var upId = Enumerable.Range(0, 64).Select(i => $"up-{i}").First(i => Owner(i) == owner);
            var (x, survivor) = owner == "a" ? (cluster.A, cluster.B) : (cluster.B, cluster.A);
            await Ok(cluster.A, "servicediscovery", "register-instance", "--service-id", srvId, "--instance-id", upId,
                "--attributes", $"AWS_INSTANCE_IPV4=127.0.0.2,AWS_INSTANCE_PORT={up.Port}");
            await Ok(cluster.A, "servicediscovery", "register-instance", "--service-id", srvId, "--instance-id", "down",
                "--attributes", $"AWS_INSTANCE_IPV4=127.0.0.3,AWS_INSTANCE_PORT={down.Port}");

            await Until.TrueAsync(async () => await HealthAsync(survivor, srvId) is { } h && h.GetValueOrDefault(upId) == "HEALTHY" && h.GetValueOrDefault("down") == "HEALTHY"
                && (await survivor.DigAsync($"checked.{ClusterFixture.Zone}")).SequenceEqual(["127.0.0.2", "127.0.0.3"]), "both instances healthy");
            // X probes them, the other node does not.
            await Until.TrueAsync(async () => await InstanceProbesAsync(x) > 0, $"{x.Name} to probe the instances");
            Assert.Equal(0, await InstanceProbesAsync(survivor));

            await x.Process.KillAsync();
            await Until.TrueAsync(async () => (await survivor.MembersAsync()).Names.SetEquals([survivor.Name]), "the survivor to be alone");
            await Until.TrueAsync(async () => await InstanceProbesAsync(survivor) > 0, "the survivor to probe the instances");

            // The target behind "down" stops: the survivor's checks find it, and its record leaves DNS there.
            await down.DisposeAsync();
            await Until.TrueAsync(async () => (await HealthAsync(survivor, srvId)).GetValueOrDefault("down") == "UNHEALTHY"
                && (await survivor.DigAsync($"checked.{ClusterFixture.Zone}")).SequenceEqual(["127.0.0.2"]), "down to be unhealthy and out of DNS");
            Assert.Equal("HEALTHY", (await HealthAsync(survivor, srvId))[upId]);
        }
        finally
        {
            await down.DisposeAsync();
        }
    }

    private static ClusterNode Member(string name) => new(name, new Dictionary<string, IReadOnlyList<string>>(), DateTimeOffset.UnixEpoch, "");

    private static async Task Ok(Node via, params string[] args) => (await via.Cli.RunAsync(args)).EnsureSuccess();

    private static JsonElement Json(Portolan.Testing.AwsCliResult result)
    {
        using var json = result.EnsureSuccess().Json();
        return json.RootElement.Clone();
    }

    /// <summary>Every task of the cluster (RUNNING and STOPPED lists), described.</summary>
    private static async Task<List<EcsTask>> TasksAsync(Node via, string ecsCluster)
    {
        var arns = new List<string>();
        foreach (var status in new[] { "RUNNING", "STOPPED" })
        {
            arns.AddRange(Json(await via.Cli.RunAsync("ecs", "list-tasks", "--cluster", ecsCluster, "--desired-status", status))
                .GetProperty("taskArns").EnumerateArray().Select(e => e.GetString()!));
        }

        if (arns.Count == 0) return [];
        var described = Json(await via.Cli.RunAsync(["ecs", "describe-tasks", "--cluster", ecsCluster, "--tasks", .. arns]));
        return described.GetProperty("tasks").EnumerateArray().Select(EcsTask.From).ToList();
    }

    /// <summary>Each task's process is a child of the Portolan node its container instance names, and answers HTTP on its host port.</summary>
    private static async Task<bool> ServedAsync(List<EcsTask> tasks, Dictionary<string, Node> nodes)
    {
        foreach (var t in tasks)
        {
            if (t.Pid == 0 || t.HostPort == 0 || ParentOf(t.Pid) != nodes[t.Instance].Process.ProcessId) return false;
            using var response = await Http.GetAsync(new Uri($"http://127.0.0.1:{t.HostPort}/"));
            if (response.StatusCode != HttpStatusCode.OK) return false;
        }

        return true;
    }

    /// <summary>
    /// <paramref name="node"/> answers SRV records for exactly the running tasks' ports, and the target group serves
    /// exactly those ports (targets of stopped tasks are draining or gone).
    /// </summary>
    private static async Task<bool> DnsAndTargetsFollowAsync(Node node, List<EcsTask> running, string tgArn)
    {
        var ports = running.Select(t => t.HostPort).Order().ToList();
        var srv = (await node.DigAsync($"spread.{ClusterFixture.Zone}", "SRV")).Select(r => int.Parse(r.Split(' ')[2], CultureInfo.InvariantCulture)).Order().ToList();
        if (!srv.SequenceEqual(ports)) return false;
        var targets = Json(await node.Cli.RunAsync("elbv2", "describe-target-health", "--target-group-arn", tgArn)).GetProperty("TargetHealthDescriptions").EnumerateArray()
            .Where(d => d.GetProperty("TargetHealth").GetProperty("State").GetString() != "draining")
            .Select(d => d.GetProperty("Target").GetProperty("Port").GetInt32()).Order().ToList();
        return targets.SequenceEqual(ports);
    }

    private static async Task<Dictionary<string, string>> HealthAsync(Node via, string serviceId) =>
        Json(await via.Cli.RunAsync("servicediscovery", "get-instances-health-status", "--service-id", serviceId)).GetProperty("Status")
            .EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!);

    /// <summary>How many Cloud Map instance probes this node ran (the count of its probe-duration histogram).</summary>
    private static async Task<long> InstanceProbesAsync(Node node) =>
        (await node.MetricsAsync()).Split('\n')
            .Where(l => l.StartsWith("portolan_health_probe_duration", StringComparison.Ordinal) && l.Contains("_count{", StringComparison.Ordinal)
                && l.Contains("kind=\"instance\"", StringComparison.Ordinal))
            .Sum(l => (long)double.Parse(l[(l.LastIndexOf('}') + 2)..].Split(' ')[0], CultureInfo.InvariantCulture)); // value [timestamp]

    /// <summary>Field 4 (ppid) of <c>/proc/PID/stat</c>, or 0 when there is no such process.</summary>
    private static int ParentOf(int pid) => Stat(pid) is { } fields ? int.Parse(fields[1], CultureInfo.InvariantCulture) : 0;

    /// <summary>Field 22 (start time) of <c>/proc/PID/stat</c>: with the PID, who the process is (PIDs are reused).</summary>
    private static string? StartTicks(int pid) => Stat(pid) is { } fields && fields[0] is not ("Z" or "X") ? fields[19] : null;

    /// <summary>The fields of <c>/proc/PID/stat</c> after the command name (field 3 onwards), or null.</summary>
    private static string[]? Stat(int pid)
    {
        try
        {
            var text = File.ReadAllText($"/proc/{pid}/stat");
            return text[(text.LastIndexOf(')') + 2)..].Split(' ');
        }
        catch (IOException)
        {
            return null;
        }
    }

    /// <summary>One task as describe-tasks shows it.</summary>
    private sealed record EcsTask(string Arn, string LastStatus, string DesiredStatus, string ContainerInstanceArn, int Pid, int HostPort, string? StopCode, string? StoppedReason)
    {
        public string Instance => ContainerInstanceArn[(ContainerInstanceArn.LastIndexOf('/') + 1)..];

        public bool IsRunning => LastStatus == "RUNNING" && DesiredStatus == "RUNNING";

        public static EcsTask From(JsonElement t)
        {
            var container = t.GetProperty("containers")[0];
            var pid = container.TryGetProperty("runtimeId", out var id) && int.TryParse(id.GetString(), CultureInfo.InvariantCulture, out var p) ? p : 0;
            var port = container.TryGetProperty("networkBindings", out var bindings) && bindings.GetArrayLength() > 0 ? bindings[0].GetProperty("hostPort").GetInt32() : 0;
            return new EcsTask(t.GetProperty("taskArn").GetString()!, t.GetProperty("lastStatus").GetString()!, t.GetProperty("desiredStatus").GetString()!,
                t.GetProperty("containerInstanceArn").GetString()!, pid, port,
                t.TryGetProperty("stopCode", out var code) ? code.GetString() : null, t.TryGetProperty("stoppedReason", out var reason) ? reason.GetString() : null);
        }
    }

    /// <summary>A TCP server that accepts (and closes) connections, as a TCP health check needs.</summary>
    private sealed class TargetServer : IDisposable, IAsyncDisposable
    {
        private readonly TcpListener _listener;
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _accepting;
        private int _disposed;

        public TargetServer(IPAddress address)
        {
            _listener = new TcpListener(address, 0);
            _listener.Start();
            Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
            _accepting = Task.Run(AcceptAsync);
        }

        public int Port { get; }

        private async Task AcceptAsync()
        {
            try
            {
                while (true)
                {
                    using var client = await _listener.AcceptTcpClientAsync(_stop.Token);
                }
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
            }
        }

        public async ValueTask DisposeAsync()
        {
            if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
            await _stop.CancelAsync();
            _listener.Stop();
            await _accepting;
            _stop.Dispose();
        }

        public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();
    }
}
