using Portolan.Core.Discovery;
using Portolan.Dns.Server;
using Portolan.Dns.Tests.Support;
using Portolan.Dns.Wire;
using Portolan.Dns.Zones;

namespace Portolan.Dns.Tests.Server;

/// <summary>The answer path allocates nothing per query once warm (issue 3: "show GC counts").</summary>
public class AllocationTests
{
    private sealed class Fixed(ZoneView view) : IZoneViewSource
    {
        public ZoneView Current { get; } = view;
    }

    [Fact]
    public void Process_SteadyState_AllocatesNothingPerQuery()
    {
        var b = new SnapshotBuilder();
        var ns = b.Namespace("alloc.test");
        var svc = b.Service(ns, "web", records: [(RecordType.A, 60), (RecordType.Srv, 60)]);
        for (var i = 1; i <= 20; i++) b.Instance(svc, $"i-{i}", attributes: [(ReservedAttributes.InstanceIpv4, $"10.0.0.{i}"), (ReservedAttributes.InstancePort, "80")]);
        var processor = new DnsQueryProcessor(new Fixed(ZoneViewBuilder.Build(b.Build(), new ZoneViewOptions())), new DnsServerOptions());
        byte[][] queries =
        [
            Query.Build("web.alloc.test", DnsType.A),
            Query.Build("WEB.alloc.test", DnsType.SRV, ednsSize: 1232),
            Query.Build("i-3.web.alloc.test", DnsType.A),
            Query.Build("missing.alloc.test", DnsType.A),
            Query.Build("example.com", DnsType.A),
            [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13],
        ];
        var response = new byte[processor.MinResponseBuffer];
        var random = new Random(1);
        for (var i = 0; i < 1_000; i++) processor.Process(queries[i % queries.Length], response, true, random);

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 100_000; i++) processor.Process(queries[i % queries.Length], response, true, random);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(0, allocated);
    }
}
