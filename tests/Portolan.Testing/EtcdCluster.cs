using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;

namespace Portolan.Testing;

/// <summary>
/// A real etcd cluster (Debian's <c>etcd-server</c>) of a few members on loopback, for tests: each member gets
/// two free ports and a data directory under one temp directory. Members run under a tiny shell watchdog that
/// SIGKILLs them once this test process is gone, so a crashed or killed test run never leaves etcd behind.
/// </summary>
public sealed class EtcdCluster : IAsyncDisposable
{
    private const string EtcdBinary = "/usr/bin/etcd";

    // Runs etcd ("$@") with output to a log, and kills it when the parent test process ($1) or etcd itself is gone.
    private const string Watchdog =
        "parent=$1; log=$2; shift 2; \"$@\" >>\"$log\" 2>&1 & child=$!; " +
        "trap 'kill -9 $child 2>/dev/null; exit 0' TERM INT; " +
        "while kill -0 \"$parent\" 2>/dev/null && kill -0 \"$child\" 2>/dev/null; do sleep 1; done; " +
        "kill -9 $child 2>/dev/null; wait $child";

    private readonly Member[] _members;
    private readonly string _token = "portolan-" + Guid.NewGuid().ToString("N")[..12];

    private EtcdCluster(string directory, Member[] members)
    {
        Directory = directory;
        _members = members;
    }

    /// <summary>Holds every member's data directory and log (<c>m0.log</c>, …).</summary>
    public string Directory { get; }

    public int Count => _members.Length;

    /// <summary>Client endpoints, <c>127.0.0.1:PORT</c>, in member order.</summary>
    public IReadOnlyList<string> ClientEndpoints => _members.Select(m => $"127.0.0.1:{m.ClientPort}").ToArray();

    /// <summary>The <c>--store</c> URI for all members, e.g. <c>etcd://127.0.0.1:41001,127.0.0.1:41003,…</c>.</summary>
    public string StoreUri(string? ns = null) => "etcd://" + string.Join(',', ClientEndpoints) + (ns is null ? "" : ns);

    public static bool IsInstalled => File.Exists(EtcdBinary);

    /// <summary>Starts <paramref name="size"/> members and waits until the cluster has a leader and every member is healthy.</summary>
    public static async Task<EtcdCluster> StartAsync(int size = 3, CancellationToken cancellationToken = default)
    {
        if (!IsInstalled)
        {
            throw new InvalidOperationException($"{EtcdBinary} is missing: apt-get install etcd-server (scripts/test.sh does).");
        }

        // A port picked free may be taken before etcd binds it; then start over with new ones.
        for (var attempt = 1; ; attempt++)
        {
            // tmpfs when there is one: etcd fsyncs every commit, and tests need no durability across reboots.
            var root = System.IO.Directory.Exists("/dev/shm") ? "/dev/shm" : Path.GetTempPath();
            var directory = Path.Combine(root, $"portolan-etcd-{Guid.NewGuid():N}");
            System.IO.Directory.CreateDirectory(directory);
            var ports = FreePorts(size * 2);
            var members = Enumerable.Range(0, size).Select(i => new Member(i, ports[2 * i], ports[(2 * i) + 1])).ToArray();
            var cluster = new EtcdCluster(directory, members);
            try
            {
                foreach (var member in members)
                {
                    cluster.Launch(member, existing: false);
                }

                await cluster.WaitHealthyAsync(Enumerable.Range(0, size), cancellationToken);
                return cluster;
            }
            catch (Exception) when (attempt < 3 && !cancellationToken.IsCancellationRequested)
            {
                await cluster.DisposeAsync();
            }
            catch
            {
                await cluster.DisposeAsync();
                throw;
            }
        }
    }

    /// <summary>Whether member <paramref name="index"/> is running.</summary>
    public bool IsRunning(int index) => _members[index].Process is { HasExited: false };

    /// <summary>SIGKILLs member <paramref name="index"/> (no shutdown, as a crash) and waits until it is gone.</summary>
    public async Task KillAsync(int index)
    {
        var member = _members[index];
        if (member.Process is { } process)
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }

            await process.WaitForExitAsync();
            process.Dispose();
            member.Process = null;
        }
    }

    /// <summary>Starts a killed member again on its data directory and waits until it is healthy.</summary>
    public async Task RestartAsync(int index, CancellationToken cancellationToken = default)
    {
        await KillAsync(index);
        Launch(_members[index], existing: true);
        await WaitHealthyAsync([index], cancellationToken);
    }

    /// <summary>The index of the current raft leader (asked of a running member through etcd's JSON gateway).</summary>
    public async Task<int> LeaderAsync(CancellationToken cancellationToken = default)
    {
        foreach (var member in _members.Where(m => m.Process is { HasExited: false }))
        {
            var status = await StatusAsync(member, cancellationToken);
            if (status is { } s && s.Leader != 0)
            {
                foreach (var candidate in _members.Where(m => m.Process is { HasExited: false }))
                {
                    if ((await StatusAsync(candidate, cancellationToken))?.MemberId == s.Leader)
                    {
                        return candidate.Index;
                    }
                }
            }
        }

        throw new InvalidOperationException("No running member knows a leader.");
    }

    /// <summary>
    /// Compacts the cluster's history up to its current revision (through a running member's JSON gateway, as
    /// <c>etcdctl compact</c> would); returns that etcd revision.
    /// </summary>
    public async Task<long> CompactAsync(CancellationToken cancellationToken = default)
    {
        var member = _members.First(m => m.Process is { HasExited: false });
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        var baseUri = $"http://127.0.0.1:{member.ClientPort}/v3/kv/";
        using var range = await http.PostAsync(new Uri(baseUri + "range"), new StringContent("{\"key\":\"AA==\"}"), cancellationToken);
        using var json = JsonDocument.Parse(await range.Content.ReadAsStringAsync(cancellationToken));
        var revision = long.Parse(json.RootElement.GetProperty("header").GetProperty("revision").GetString()!, CultureInfo.InvariantCulture);
        using var compact = await http.PostAsync(
            new Uri(baseUri + "compaction"), new StringContent($"{{\"revision\":\"{revision}\",\"physical\":true}}"), cancellationToken);
        compact.EnsureSuccessStatusCode();
        return revision;
    }

    /// <summary>What member <paramref name="index"/> has logged so far.</summary>
    public string Log(int index)
    {
        var path = LogPath(_members[index]);
        return File.Exists(path) ? File.ReadAllText(path) : "";
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var member in _members)
        {
            await KillAsync(member.Index);
        }

        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // A member's last write may race the delete; the directory is unique, leave it.
        }
    }

    private void Launch(Member member, bool existing)
    {
        var peers = string.Join(',', _members.Select(m => $"m{m.Index}=http://127.0.0.1:{m.PeerPort}"));
        var start = new ProcessStartInfo("/bin/sh") { UseShellExecute = false, RedirectStandardInput = true };
        foreach (var arg in (string[])[
            "-c", Watchdog, "etcd-watchdog", Environment.ProcessId.ToString(CultureInfo.InvariantCulture), LogPath(member),
            EtcdBinary,
            "--name", $"m{member.Index}",
            "--data-dir", Path.Combine(Directory, $"m{member.Index}"),
            "--listen-client-urls", $"http://127.0.0.1:{member.ClientPort}",
            "--advertise-client-urls", $"http://127.0.0.1:{member.ClientPort}",
            "--listen-peer-urls", $"http://127.0.0.1:{member.PeerPort}",
            "--initial-advertise-peer-urls", $"http://127.0.0.1:{member.PeerPort}",
            "--initial-cluster", peers,
            "--initial-cluster-token", _token,
            "--initial-cluster-state", existing ? "existing" : "new",
            // etcd's defaults (100 ms / 1 s) but a longer election timeout: a test machine busy on 2 cores
            // must not see spurious leader elections. Leases then have a 3 s minimum TTL.
            "--heartbeat-interval", "100",
            "--election-timeout", "2000",
            // Progress notifications for idle watches every 100 ms (etcd's default is 10 min): how a Portolan node
            // learns that revisions made outside its keys (other namespaces) hold nothing for it.
            "--experimental-watch-progress-notify-interval", "100ms",
            "--logger", "zap",
            "--log-level", "warn",
        ])
        {
            start.ArgumentList.Add(arg);
        }

        member.Process = Process.Start(start) ?? throw new InvalidOperationException("Could not start etcd.");
    }

    private async Task WaitHealthyAsync(IEnumerable<int> indexes, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(60));
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        foreach (var index in indexes)
        {
            var member = _members[index];
            while (true)
            {
                if (member.Process is not { HasExited: false })
                {
                    throw new InvalidOperationException($"etcd member m{index} exited while starting:\n{Log(index)}");
                }

                try
                {
                    // /health is true once the member has a leader and can serve a quorum read.
                    var body = await http.GetStringAsync(new Uri($"http://127.0.0.1:{member.ClientPort}/health"), timeout.Token);
                    if (body.Contains("\"health\":\"true\"", StringComparison.Ordinal))
                    {
                        break;
                    }
                }
                catch (HttpRequestException)
                {
                }
                catch (TaskCanceledException) when (!timeout.IsCancellationRequested)
                {
                }
                catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
                {
                    throw new TimeoutException($"etcd member m{index} did not become healthy:\n{Log(index)}");
                }

                await Task.Delay(100, timeout.Token);
            }
        }
    }

    private static async Task<(ulong MemberId, ulong Leader)?> StatusAsync(Member member, CancellationToken cancellationToken)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        try
        {
            using var response = await http.PostAsync(
                new Uri($"http://127.0.0.1:{member.ClientPort}/v3/maintenance/status"), new StringContent("{}"), cancellationToken);
            using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken));
            var root = json.RootElement;
            // The gateway writes uint64 as strings.
            return (ulong.Parse(root.GetProperty("header").GetProperty("member_id").GetString()!, CultureInfo.InvariantCulture),
                root.TryGetProperty("leader", out var leader) ? ulong.Parse(leader.GetString()!, CultureInfo.InvariantCulture) : 0);
        }
        catch (HttpRequestException)
        {
            return null;
        }
    }

    private string LogPath(Member member) => Path.Combine(Directory, $"m{member.Index}.log");

    private static int[] FreePorts(int count)
    {
        var sockets = new List<Socket>();
        try
        {
            for (var i = 0; i < count; i++)
            {
                var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
                sockets.Add(socket);
            }

            return sockets.Select(s => ((IPEndPoint)s.LocalEndPoint!).Port).ToArray();
        }
        finally
        {
            foreach (var socket in sockets)
            {
                socket.Dispose();
            }
        }
    }

    private sealed class Member(int index, int clientPort, int peerPort)
    {
        public int Index { get; } = index;
        public int ClientPort { get; } = clientPort;
        public int PeerPort { get; } = peerPort;
        public Process? Process { get; set; }
    }
}
