using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Metrics;
using Portolan.Core.Discovery;
using Portolan.Dns.Server;
using Portolan.Dns.Tests.Support;
using Portolan.Dns.Wire;
using Portolan.Dns.Zones;
using Portolan.WebConsole.Metrics;

namespace Portolan.Dns.Tests.Server;

/// <summary>
/// The answer path stays allocation-free with metrics recorded into the server's real pipeline (OpenTelemetry's SDK
/// behind the Prometheus exporter, as <c>portolan serve</c> wires it), not only with no listener at all.
/// </summary>
public class MetricsAllocationTests
{
    private sealed class Fixed(ZoneView view) : IZoneViewSource
    {
        public ZoneView Current { get; } = view;
    }

    [Fact]
    public void Process_WithPrometheusPipelineListening_AllocatesNothingPerQuery()
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddPortolanMetrics();
        services.AddSingleton<DnsMetrics>();
        using var provider = services.BuildServiceProvider();
        _ = provider.GetRequiredService<MeterProvider>();
        var metrics = provider.GetRequiredService<DnsMetrics>();
        Assert.True(metrics.Enabled);

        var b = new SnapshotBuilder();
        var ns = b.Namespace("alloc.test");
        var svc = b.Service(ns, "web", records: [(RecordType.A, 60), (RecordType.Srv, 60)]);
        for (var i = 1; i <= 20; i++) b.Instance(svc, $"i-{i}", attributes: [(ReservedAttributes.InstanceIpv4, $"10.0.0.{i}"), (ReservedAttributes.InstancePort, "80")]);
        var processor = new DnsQueryProcessor(new Fixed(ZoneViewBuilder.Build(b.Build(), new ZoneViewOptions())), new DnsServerOptions(), metrics);
        byte[][] queries =
        [
            Query.Build("web.alloc.test", DnsType.A),
            Query.Build("WEB.alloc.test", DnsType.SRV, ednsSize: 1232),
            Query.Build("missing.alloc.test", DnsType.A),
            Query.Build("example.com", DnsType.A),
            Query.Build("web.alloc.test", 99),
            [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13],
        ];
        var response = new byte[processor.MinResponseBuffer];
        var random = new Random(1);
        // Warm-up: the SDK makes one metric point per new tag combination, once.
        for (var i = 0; i < 1_000; i++) processor.Process(queries[i % queries.Length], response, i % 2 == 0, random);

        // A round of 100k queries must allocate nothing. One-off runtime and SDK work (a method reaching tier 1
        // late on a loaded machine, a lazily built table) may land in a round: up to five rounds are measured and one
        // must be clean. A real per-query allocation would cost at least 2.4 MB in every round.
        var rounds = new List<long>();
        for (var round = 0; round < 5 && (rounds.Count == 0 || rounds[^1] != 0); round++)
        {
            var before = GC.GetAllocatedBytesForCurrentThread();
            for (var i = 0; i < 100_000; i++) processor.Process(queries[i % queries.Length], response, i % 2 == 0, random);
            rounds.Add(GC.GetAllocatedBytesForCurrentThread() - before);
        }

        Assert.True(rounds[^1] == 0, $"Bytes allocated per round of 100k queries: {string.Join(", ", rounds)}.");
    }
}
