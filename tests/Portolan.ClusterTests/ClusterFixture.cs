using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Portolan.Testing;

namespace Portolan.ClusterTests;

/// <summary>
/// A 3-member etcd cluster and two Portolan nodes, <c>a</c> and <c>b</c>, each a real <c>portolan serve --store etcd://…</c>
/// process on its own ephemeral API and DNS ports (Cloud Map health checks every second), shared by the <c>cluster</c> collection. A test that kills a
/// member or a node brings it back (<see cref="RestoreAsync"/>) so the next test starts from the same cluster.
/// </summary>
public sealed class ClusterFixture : IAsyncLifetime
{
    private readonly TempDirectory _dir = new("portolan-cluster");
    private readonly Dictionary<string, Node> _nodes = [];

    public EtcdCluster Etcd { get; private set; } = null!;

    public Node A => _nodes["a"];

    public Node B => _nodes["b"];

    public async Task InitializeAsync()
    {
        Etcd = await EtcdCluster.StartAsync(3);
        await StartNodeAsync("a");
        await StartNodeAsync("b");
    }

    public async Task DisposeAsync()
    {
        foreach (var node in _nodes.Values) await node.DisposeAsync();
        if (Etcd is not null) await Etcd.DisposeAsync();
        _dir.Dispose();
    }

    /// <summary>Starts (or restarts, after a kill) node <paramref name="name"/> on all etcd members, or only on <paramref name="storeUri"/>.</summary>
    public async Task<Node> StartNodeAsync(string name, string? storeUri = null)
    {
        if (_nodes.Remove(name, out var old)) await old.DisposeAsync();
        var dataDir = Path.Combine(_dir.Path, name);
        var process = await PortolanProcess.StartAsync([
            "serve", "--store", storeUri ?? Etcd.StoreUri(), "--node-name", name,
            "--api", "127.0.0.1:0", "--dns", "127.0.0.1:0", "--data-dir", dataDir, "--health-interval", "1"]);
        var node = new Node(name, process);
        _nodes[name] = node;
        return node;
    }

    /// <summary>The private DNS namespace the tests register in (created once, through node a).</summary>
    public const string Zone = "cluster.test";

    private string? _namespaceId;

    /// <summary>
    /// Creates a MULTIVALUE service in <see cref="Zone"/> through <paramref name="via"/> (A records unless
    /// <paramref name="dnsRecords"/> says otherwise, more create-service arguments in <paramref name="extra"/>); returns its id.
    /// </summary>
    public async Task<string> CreateServiceAsync(Node via, string name, string dnsRecords = "[{Type=A,TTL=5}]", params string[] extra)
    {
        if (_namespaceId is null)
        {
            using var created = (await A.Cli.RunAsync("servicediscovery", "create-private-dns-namespace", "--name", Zone, "--vpc", "vpc-1")).EnsureSuccess().Json();
            var operationId = created.RootElement.GetProperty("OperationId").GetString()!;
            using var operation = (await A.Cli.RunAsync("servicediscovery", "get-operation", "--operation-id", operationId)).EnsureSuccess().Json();
            _namespaceId = operation.RootElement.GetProperty("Operation").GetProperty("Targets").GetProperty("NAMESPACE").GetString();
        }

        using var service = (await via.Cli.RunAsync(["servicediscovery", "create-service", "--name", name,
            "--dns-config", $"NamespaceId={_namespaceId},RoutingPolicy=MULTIVALUE,DnsRecords={dnsRecords}", .. extra])).EnsureSuccess().Json();
        return service.RootElement.GetProperty("Service").GetProperty("Id").GetString()!;
    }

    /// <summary>Restarts any etcd member a test killed and node a or b if it is gone, then waits until both see each other.</summary>
    public async Task RestoreAsync()
    {
        for (var i = 0; i < Etcd.Count; i++)
        {
            if (!Etcd.IsRunning(i)) await Etcd.RestartAsync(i);
        }

        foreach (var name in new[] { "a", "b" })
        {
            if (!_nodes.TryGetValue(name, out var node) || node.HasExited) await StartNodeAsync(name);
        }

        foreach (var extra in _nodes.Keys.Except(["a", "b"]).ToList())
        {
            await _nodes[extra].DisposeAsync();
            _nodes.Remove(extra);
        }

        await Until.TrueAsync(async () => (await A.MembersAsync()).Names.SetEquals(["a", "b"]) && (await B.MembersAsync()).Names.SetEquals(["a", "b"]));
    }
}

[CollectionDefinition(Name)]
public sealed class ClusterCollection : ICollectionFixture<ClusterFixture>
{
    public const string Name = "cluster";
}

/// <summary>One <c>portolan serve</c> node: its CLI, DNS port and members endpoint.</summary>
public sealed class Node(string name, PortolanProcess process) : IAsyncDisposable
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(10) };

    public string Name { get; } = name;

    public PortolanProcess Process { get; } = process;

    public AwsCli Cli { get; } = new(process.ApiUri);

    public int DnsPort { get; } = int.Parse(
        process.StdOut.Split('\n').First(l => l.StartsWith("dns: udp://", StringComparison.Ordinal)).Trim().Split(':')[^1], CultureInfo.InvariantCulture);

    public bool HasExited
    {
        get
        {
            try { return System.Diagnostics.Process.GetProcessById(Process.ProcessId).HasExited; }
            catch (ArgumentException) { return true; }
        }
    }

    public async Task<Members> MembersAsync()
    {
        using var json = JsonDocument.Parse(await Http.GetStringAsync(new Uri(Process.ApiUri, "/_portolan/members")));
        return new Members(json.RootElement.Clone());
    }

    /// <summary>The records (A unless <paramref name="type"/> says otherwise) <c>dig</c> gets from this node for <paramref name="name"/>, sorted (empty on NXDOMAIN/NODATA).</summary>
    public async Task<List<string>> DigAsync(string name, string type = "A")
    {
        var start = new ProcessStartInfo("dig") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in (string[])["@127.0.0.1", "-p", DnsPort.ToString(CultureInfo.InvariantCulture), name, type, "+short", "+norec", "+time=2", "+tries=1"])
        {
            start.ArgumentList.Add(arg);
        }

        using var dig = System.Diagnostics.Process.Start(start)!;
        var output = await dig.StandardOutput.ReadToEndAsync();
        await dig.WaitForExitAsync();
        Assert.True(dig.ExitCode == 0, $"dig exited {dig.ExitCode}: {await dig.StandardError.ReadToEndAsync()}");
        return output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Order(StringComparer.Ordinal).ToList();
    }

    /// <summary>The node's Prometheus exposition (<c>GET /metrics</c>).</summary>
    public Task<string> MetricsAsync() => Http.GetStringAsync(new Uri(Process.ApiUri, "/metrics"));

    /// <summary>The ECS container instance id this node runs tasks as (its node meta in the members list).</summary>
    public async Task<string> ContainerInstanceIdAsync() =>
        (await MembersAsync()).Member(Name).GetProperty("meta").GetProperty("ecs.containerInstanceId").GetString()!;

    /// <summary>SIGSTOP / SIGCONT (or KILL: the node alone, not the task processes it started): as a long pause, or a crash, would.</summary>
    public async Task SignalAsync(string signal)
    {
        using var kill = System.Diagnostics.Process.Start("kill", [$"-{signal}", Process.ProcessId.ToString(CultureInfo.InvariantCulture)]);
        await kill.WaitForExitAsync();
    }

    public ValueTask DisposeAsync() => Process.DisposeAsync();
}

/// <summary>A parsed <c>GET /_portolan/members</c> answer.</summary>
public sealed record Members(JsonElement Json)
{
    public string? Leader => Json.GetProperty("leader").GetString();

    public HashSet<string> Names => Json.GetProperty("members").EnumerateArray()
        .Where(m => m.GetProperty("status").GetString() == "alive").Select(m => m.GetProperty("name").GetString()!).ToHashSet();

    public JsonElement Member(string name) => Json.GetProperty("members").EnumerateArray().Single(m => m.GetProperty("name").GetString() == name);
}

/// <summary>Waits for a condition over real processes; fails (with the last value) after 60 s, never asserts on time.</summary>
public static class Until
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    public static async Task TrueAsync(Func<Task<bool>> condition, string? what = null)
    {
        var deadline = Stopwatch.StartNew();
        Exception? last = null;
        while (deadline.Elapsed < Timeout)
        {
            try
            {
                if (await condition()) return;
                last = null;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException or InvalidOperationException)
            {
                last = e; // the node may be restarting
            }

            await Task.Delay(50);
        }

        Assert.Fail($"Timed out waiting for {what ?? "the condition"}. {last?.Message}");
    }
}
