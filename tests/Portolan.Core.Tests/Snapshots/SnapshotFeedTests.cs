using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Portolan.Core.Discovery;
using Portolan.Core.Registry;
using Portolan.Core.Snapshots;
using Portolan.Core.Tests.Registry;
using Portolan.Storage;
using Portolan.Storage.Sqlite;
using Portolan.Testing;

namespace Portolan.Core.Tests.Snapshots;

/// <summary>
/// The feed on a real SQLite store: group commits of many concurrent writes reach the snapshot, every writer
/// reads its own write when its call returns, and a wait for a revision completes exactly when that revision is
/// reached — not at an earlier publish, and not after a cancelled wait for the same revision; watch faults relist.
/// </summary>
public sealed class SnapshotFeedTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30); // bounds a broken run only

    [Fact]
    public async Task ConcurrentWriters_EachSeeTheirOwnWriteWhenTheCallReturns()
    {
        await using var h = await RegistryHarness.StartAsync();
        await h.Registry.CreateNamespaceAsync(new CreateNamespaceCommand(NamespaceType.Http, "feed"));
        var ns = h.Snapshot.FindNamespaceByName("feed")!.Id;
        var svc = (await h.Registry.CreateServiceAsync(new CreateServiceCommand("web", ns))).Id;

        await Parallel.ForAsync(0, 300, new ParallelOptions { MaxDegreeOfParallelism = 64 }, async (i, ct) =>
        {
            await h.Registry.RegisterInstanceAsync(new RegisterInstanceCommand(svc, $"i-{i}", new Dictionary<string, string> { ["k"] = "v" }), ct);
            Assert.True(h.Snapshot.Services[svc].Instances.ContainsKey($"i-{i}"), $"i-{i} is not in the snapshot when its call returns");
        });

        Assert.Equal(300, h.Snapshot.Services[svc].Instances.Count);
    }

    [Fact]
    public async Task WaitForRevision_CompletesWhenThatRevisionIsPublished()
    {
        await using var h = await RegistryHarness.StartAsync();
        await h.Registry.CreateNamespaceAsync(new CreateNamespaceCommand(NamespaceType.Http, "waits"));
        var ns = h.Snapshot.FindNamespaceByName("waits")!.Id;
        var start = h.Snapshot.Revision;

        using (var cancel = new CancellationTokenSource())
        {
            var cancelled = h.Feed.WaitForRevisionAsync(start + 2, cancel.Token).AsTask();
            await cancel.CancelAsync();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled);
        }

        var third = h.Feed.WaitForRevisionAsync(start + 3).AsTask();
        var second = h.Feed.WaitForRevisionAsync(start + 2).AsTask();
        Assert.True(h.Feed.WaitForRevisionAsync(start).AsTask().IsCompleted);

        await h.Registry.CreateServiceAsync(new CreateServiceCommand("s1", ns));
        Assert.False(second.IsCompleted);
        Assert.False(third.IsCompleted);

        await h.Registry.CreateServiceAsync(new CreateServiceCommand("s2", ns));
        await second.WaitAsync(Deadline);
        Assert.True(h.Snapshot.Revision >= start + 2);
        Assert.False(third.IsCompleted);

        await h.Registry.CreateServiceAsync(new CreateServiceCommand("s3", ns));
        await third.WaitAsync(Deadline);
        await h.Feed.WaitForChangeAsync(start + 2).AsTask().WaitAsync(Deadline);
    }

    [Fact]
    public async Task Compacted_watch_relists_and_a_failed_relist_is_retried_not_fatal()
    {
        using var dir = new TempDirectory();
        await using var sqlite = await SqliteStore.OpenAsync(Path.Combine(dir.Path, "portolan.db"));
        // The real store, with the two faults an etcd cluster can produce: a watch whose resume point was
        // compacted away, then a relist that fails because the cluster is briefly unreachable.
        var store = new FaultyStore(sqlite);
        await using var feed = new SnapshotFeed(store, NullLogger<SnapshotFeed>.Instance);
        await feed.StartAsync(CancellationToken.None);
        var registry = new DiscoveryRegistry(store, feed, Options.Create(new RegistryOptions()), TimeProvider.System);

        await registry.CreateNamespaceAsync(new CreateNamespaceCommand(NamespaceType.Http, "after-the-faults"))
            .WaitAsync(TimeSpan.FromSeconds(30));

        Assert.NotNull(feed.Current.FindNamespaceByName("after-the-faults"));
        Assert.True(store.Ranges >= 3, $"start, failed relist, relist; saw {store.Ranges} reads");
        Assert.True(store.Watches >= 2, $"compacted watch, then a live one; saw {store.Watches}");
    }

    [Fact]
    public async Task A_revision_outside_the_registry_is_observed_without_a_new_snapshot()
    {
        using var dir = new TempDirectory();
        await using var store = await SqliteStore.OpenAsync(Path.Combine(dir.Path, "portolan.db"));
        await using var feed = new SnapshotFeed(store, NullLogger<SnapshotFeed>.Instance);
        await feed.StartAsync(CancellationToken.None);
        var before = feed.Current;

        // e.g. a node registering under /cluster/: a revision no registry key changed in.
        var write = await store.TxnAsync(Txn.Unconditional(TxnOp.Put("/cluster/nodes/n1", "{}"u8.ToArray())));

        await feed.WaitForRevisionAsync(write.Revision).AsTask().WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Same(before, feed.Current);
    }

    /// <summary>Delegates to a real store; the first watch reports a compaction and the second range read fails.</summary>
    private sealed class FaultyStore(IStore inner) : IStore
    {
        private int _ranges;
        private int _watches;

        public int Ranges => Volatile.Read(ref _ranges);
        public int Watches => Volatile.Read(ref _watches);

        public ValueTask<RangeResult> RangeAsync(string prefix, RangeOptions? options = null, CancellationToken cancellationToken = default) =>
            Interlocked.Increment(ref _ranges) == 2
                ? throw new StoreUnavailableException("etcd could not read a range: Unavailable (injected)")
                : inner.RangeAsync(prefix, options, cancellationToken);

        public IAsyncEnumerable<WatchBatch> WatchAsync(string prefix, long fromRevision, CancellationToken cancellationToken = default) =>
            Interlocked.Increment(ref _watches) == 1 ? Compacted(fromRevision, cancellationToken) : inner.WatchAsync(prefix, fromRevision, cancellationToken);

        private static async IAsyncEnumerable<WatchBatch> Compacted(long from, [EnumeratorCancellation] CancellationToken ct = default)
        {
            await Task.Yield();
            throw new StoreCompactedException(from, from);
#pragma warning disable CS0162 // an iterator needs a yield to be one
            yield break;
#pragma warning restore CS0162
        }

        public ValueTask<long> GetRevisionAsync(CancellationToken cancellationToken = default) => inner.GetRevisionAsync(cancellationToken);
        public ValueTask<KeyValue?> GetAsync(string key, CancellationToken cancellationToken = default) => inner.GetAsync(key, cancellationToken);
        public ValueTask<TxnResult> TxnAsync(Txn txn, CancellationToken cancellationToken = default) => inner.TxnAsync(txn, cancellationToken);
        public ValueTask<long> GrantLeaseAsync(TimeSpan ttl, CancellationToken cancellationToken = default) => inner.GrantLeaseAsync(ttl, cancellationToken);
        public ValueTask KeepAliveAsync(long leaseId, CancellationToken cancellationToken = default) => inner.KeepAliveAsync(leaseId, cancellationToken);
        public ValueTask RevokeLeaseAsync(long leaseId, CancellationToken cancellationToken = default) => inner.RevokeLeaseAsync(leaseId, cancellationToken);
        public ValueTask CompactAsync(long revision, CancellationToken cancellationToken = default) => inner.CompactAsync(revision, cancellationToken);
        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
