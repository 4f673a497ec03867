using System.Collections.Immutable;
using System.Text;
using System.Text.Json;
using Portolan.Core.Discovery;
using Portolan.Core.Snapshots;
using Portolan.Storage;

namespace Portolan.Core.Tests.Snapshots;

public sealed class SnapshotApplierTests
{
    private static readonly DateTimeOffset At = DateTimeOffset.UnixEpoch;

    private static WatchEvent Put(string key, object value, long rev) =>
        new(WatchEventType.Put, new KeyValue(key, JsonSerializer.SerializeToUtf8Bytes(value), rev, rev, 1, 0));

    private static WatchEvent Del(string key, long rev) => new(WatchEventType.Delete, new KeyValue(key, ReadOnlyMemory<byte>.Empty, 0, rev, 0, 0));

    private static readonly NamespaceRecord Ns = new()
    {
        Id = "ns-a", Arn = "arn:ns", Name = "DomainA", Type = NamespaceType.DnsPrivate, HttpName = "DomainA", CreateDate = At, CreateOperationId = "op",
    };

    private static readonly ServiceRecord Svc = new()
    {
        Id = "srv-a", Arn = "arn:srv", Name = "Echo", NamespaceId = "ns-a", Type = ServiceType.DnsHttp, CreateDate = At,
        HealthCheckCustomConfig = new HealthCheckCustomConfig(),
    };

    private static InstanceRecord Instance(string id) => new()
    {
        ServiceId = "srv-a", Id = id, OperationId = "op", RegisteredAt = At,
        Attributes = ImmutableSortedDictionary<string, string>.Empty.Add("AWS_INSTANCE_IPV4", "10.0.0.1"),
    };

    [Fact]
    public void Apply_ALoadParsedInParallel_EqualsTheSameChangesAppliedInSmallBatches()
    {
        // A load (above the parallel-parse threshold) and the same keys in batches below it build equal services.
        var count = SnapshotApplier.ParallelParseThreshold + 1000;
        var parents = new[] { Put("/p/sd/ns/ns-a", Ns, 1), Put("/p/sd/svc/srv-a", Svc, 2) };
        var children = Enumerable.Range(0, count).SelectMany(i => new[]
        {
            Put($"/p/sd/health/srv-a/i-{i:D5}", new InstanceHealth(i % 3 == 0 ? HealthStatus.Unhealthy : HealthStatus.Healthy, At.AddSeconds(i)), 3),
            Put($"/p/sd/inst/srv-a/i-{i:D5}", Instance($"i-{i:D5}"), 3),
        }).ToArray();

        var loaded = SnapshotApplier.Apply(RegistrySnapshot.Empty, [.. children, .. parents], 3).Services["srv-a"];
        var batched = SnapshotApplier.Apply(RegistrySnapshot.Empty, parents, 2);
        foreach (var batch in children.Chunk(1000)) batched = SnapshotApplier.Apply(batched, batch, 3);
        var expected = batched.Services["srv-a"];

        Assert.Equal(count, loaded.Instances.Count);
        Assert.Equal(expected.Instances.Keys, loaded.Instances.Keys);
        Assert.All(expected.Instances, p =>
        {
            var actual = loaded.Instances[p.Key];
            Assert.Equal(p.Value.ModRevision, actual.ModRevision);
            Assert.Equal(p.Value.Record.Attributes, actual.Record.Attributes);
            Assert.Equal(p.Value.Record with { Attributes = ImmutableSortedDictionary<string, string>.Empty }, actual.Record with { Attributes = ImmutableSortedDictionary<string, string>.Empty });
        });
        Assert.Equal(expected.Health.OrderBy(p => p.Key, StringComparer.Ordinal), loaded.Health.OrderBy(p => p.Key, StringComparer.Ordinal));
        Assert.Equal(HealthStatus.Unhealthy, loaded.StatusOf("i-00003"));
    }

    [Fact]
    public void Apply_ChildrenBeforeParentsInKeyOrder_AllLand()
    {
        // Key order puts /p/sd/health and /p/sd/inst before /p/sd/ns and /p/sd/svc, as a full read returns them.
        var events = new[]
        {
            Put("/p/sd/health/srv-a/i/1", new InstanceHealth(HealthStatus.Unhealthy, At), 3),
            Put("/p/sd/inst/srv-a/i/1", Instance("i/1"), 3),
            Put("/p/sd/instrev/srv-a", "i/1", 3),
            Put("/p/sd/ns/ns-a", Ns, 1),
            Put("/p/sd/nssvc/ns-a", "srv-a", 2),
            Put("/p/sd/svc/srv-a", Svc, 2),
        };
        var s = SnapshotApplier.Apply(RegistrySnapshot.Empty, events, 3);

        Assert.Equal(3, s.Revision);
        var ns = s.FindNamespaceByName("domaina");
        Assert.NotNull(ns);
        Assert.Equal(2, ns.ServicesRevision);
        var svc = s.FindService(ns, "ECHO");
        Assert.NotNull(svc);
        Assert.Equal("i/1", Assert.Single(svc.Instances.Keys));
        Assert.Equal(HealthStatus.Unhealthy, svc.StatusOf("i/1"));
        Assert.Equal(3, svc.InstancesRevision);
    }

    [Fact]
    public void Apply_ServiceDeletedWithChildren_RemovesIndexesAndIgnoresOrphans()
    {
        var s = SnapshotApplier.Apply(RegistrySnapshot.Empty, [Put("/p/sd/ns/ns-a", Ns, 1), Put("/p/sd/svc/srv-a", Svc, 2)], 2);
        s = SnapshotApplier.Apply(s, [Del("/p/sd/health/srv-a/x", 3), Del("/p/sd/svc/srv-a", 3), Put("/p/sd/inst/srv-a/late", Instance("late"), 3)], 3);

        Assert.Empty(s.Services);
        Assert.Empty(s.ServiceIdsByName);
        Assert.Empty(s.Namespaces["ns-a"].ServiceIds);
    }

    [Fact]
    public void Apply_InstanceChange_ReplacesEntrySoRenderCacheCannotGoStale()
    {
        var s = SnapshotApplier.Apply(RegistrySnapshot.Empty, [Put("/p/sd/ns/ns-a", Ns, 1), Put("/p/sd/svc/srv-a", Svc, 2), Put("/p/sd/inst/srv-a/i", Instance("i"), 3)], 3);
        var before = s.Services["srv-a"].Instances["i"];
        var rendered = before.GetOrRender(HealthStatus.Healthy, (e, _) => Encoding.UTF8.GetBytes(e.Id));
        Assert.Same(rendered, before.GetOrRender<byte[]>(HealthStatus.Healthy, (_, _) => throw new InvalidOperationException("cached")));

        s = SnapshotApplier.Apply(s, [Put("/p/sd/inst/srv-a/i", Instance("i"), 4)], 4);
        Assert.NotSame(before, s.Services["srv-a"].Instances["i"]);
        Assert.Equal(4, s.Services["srv-a"].Instances["i"].ModRevision);
    }
}
