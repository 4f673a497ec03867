using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Portolan.Core.Discovery;
using Portolan.Core.Registry;
using Portolan.Core.Snapshots;
using Portolan.Health.Reporting;
using Portolan.Health.Subjects;
using Portolan.Hosting;

namespace Portolan.Health.Bench;

/// <summary>
/// From threshold crossing to changed DNS answer, end to end in the real server (SQLite store, registry, snapshot
/// feed, DNS zone view, UDP DNS server, health engine). Each service has a "flip" instance on a TCP listener the
/// run closes and reopens, and a "steady" one that keeps the answer non-empty (no fail-open). A crossing's time is
/// when its probe ended (the engine's own record); the change is seen by a DNS client polling the service's name.
/// </summary>
internal static class PropagationRun
{
    public static async Task<int> RunAsync(int services, int parallel, TimeSpan interval, string dataDir)
    {
        await using var host = await PortolanHost.StartAsync(new PortolanOptions
        {
            DataDir = dataDir,
            ApiEndpoints = [new HostPort("127.0.0.1", 0)],
            DnsEndpoint = new HostPort("127.0.0.1", 0),
            HealthInterval = interval,
        }, configureServices: null, logging => logging.ClearProviders());
        var registry = host.Services.GetRequiredService<DiscoveryRegistry>();
        var snapshots = host.Services.GetRequiredService<ISnapshotSource>();
        var view = host.Services.GetRequiredService<HealthView>();
        var dns = host.DnsUdpEndPoint!;

        using var steady = new Listener(new IPEndPoint(IPAddress.Parse("127.0.3.1"), 0));
        await registry.CreateNamespaceAsync(new CreateNamespaceCommand(NamespaceType.DnsPrivate, "prop.bench", Vpc: "vpc-1"));
        var ns = snapshots.Current.FindNamespaceByName("prop.bench")!.Id;
        var flips = new List<(string Name, string ServiceId, string Ip, Listener Listener)>();
        for (var i = 0; i < services; i++)
        {
            var name = $"s{i}";
            var svc = await registry.CreateServiceAsync(new CreateServiceCommand(name, ns,
                DnsConfig: new DnsConfig { DnsRecords = [new DnsRecord(RecordType.A, 0)] },
                HealthCheckConfig: new HealthCheckConfig(HealthCheckType.Tcp, null, 1)));
            var ip = $"127.0.2.{i + 1}";
            var listener = new Listener(new IPEndPoint(IPAddress.Parse(ip), 0));
            await registry.RegisterInstanceAsync(new RegisterInstanceCommand(svc.Id, "flip", new Dictionary<string, string>
            {
                ["AWS_INSTANCE_IPV4"] = ip, ["AWS_INSTANCE_PORT"] = listener.Port.ToString(CultureInfo.InvariantCulture),
            }));
            await registry.RegisterInstanceAsync(new RegisterInstanceCommand(svc.Id, "steady", new Dictionary<string, string>
            {
                ["AWS_INSTANCE_IPV4"] = "127.0.3.1", ["AWS_INSTANCE_PORT"] = steady.Port.ToString(CultureInfo.InvariantCulture),
            }));
            flips.Add(($"{name}.prop.bench", svc.Id, ip, listener));
        }
        Console.WriteLine($"propagation: {services} services, interval {interval.TotalSeconds} s, {parallel} at a time");
        await Task.Delay(2 * interval); // every check has passed once

        var samples = new System.Collections.Concurrent.ConcurrentBag<(string Direction, double Ms)>();
        await Parallel.ForEachAsync(flips, new ParallelOptions { MaxDegreeOfParallelism = parallel }, async (f, ct) =>
        {
            using var client = new DnsProbe(dns);
            var key = new SubjectKey(SubjectKind.CloudMapInstance, f.ServiceId, "flip");
            f.Listener.Close();
            samples.Add(("down", await WaitAsync(client, view, key, f.Name, f.Ip, present: false, ct)));
            f.Listener.Open();
            samples.Add(("up", await WaitAsync(client, view, key, f.Name, f.Ip, present: true, ct)));
        });

        foreach (var direction in new[] { "down", "up", "all" })
        {
            var ms = samples.Where(s => direction == "all" || s.Direction == direction).Select(s => s.Ms).Order().ToArray();
            Console.WriteLine($"result: {direction} n={ms.Length} p50={Q(ms, 0.5):0.0}ms p90={Q(ms, 0.9):0.0}ms p99={Q(ms, 0.99):0.0}ms max={ms[^1]:0.0}ms");
        }
        Console.WriteLine($"result: registry writes={view.Statistics.Writes} crossings={view.Statistics.Crossings} probes={view.Statistics.Probes}");
        foreach (var f in flips) f.Listener.Dispose();
        return 0;
    }

    /// <summary>Polls DNS until the instance's address is (or is no longer) in the answer; returns ms since the crossing probe ended.</summary>
    private static async Task<double> WaitAsync(DnsProbe client, HealthView view, SubjectKey key, string name, string ip, bool present, CancellationToken ct)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            var answer = await client.QueryAAsync(name, ct);
            var seenAt = DateTimeOffset.UtcNow;
            if (answer.Contains(ip) == present && view.TryGet(key, out var report) && report.StateSince is { } since && report.Recent.Count > 0)
            {
                var crossedAt = since + report.Recent.First(r => r.At == since).Elapsed;
                return (seenAt - crossedAt).TotalMilliseconds;
            }
            if (deadline.Elapsed > TimeSpan.FromSeconds(60)) throw new TimeoutException($"{name}: no change within 60 s");
            await Task.Delay(1, ct);
        }
    }

    private static double Q(double[] sorted, double q) => sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(q * sorted.Length) - 1)];

    /// <summary>A TCP listener that can be closed (probes get refused) and opened again on the same endpoint.</summary>
    private sealed class Listener : IDisposable
    {
        private readonly IPEndPoint _endPoint;
        private Socket? _socket;

        public Listener(IPEndPoint endPoint)
        {
            _endPoint = endPoint;
            Open();
            _endPoint = (IPEndPoint)_socket!.LocalEndPoint!;
        }

        public int Port => _endPoint.Port;

        public void Open()
        {
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            socket.Bind(_endPoint);
            socket.Listen(64);
            _socket = socket;
            _ = AcceptAsync(socket);
        }

        private static async Task AcceptAsync(Socket socket)
        {
            try
            {
                while (true) (await socket.AcceptAsync()).Dispose();
            }
            catch (Exception)
            {
                // Closed.
            }
        }

        public void Close() => _socket?.Dispose();

        public void Dispose() => Close();
    }
}
