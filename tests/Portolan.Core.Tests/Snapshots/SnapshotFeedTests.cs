using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Portolan.Core.Discovery;
using Portolan.Core.Registry;
using Portolan.Core.Snapshots;
using Portolan.Storage;
using Portolan.Storage.Sqlite;
using Portolan.Testing;

namespace Portolan.Core.Tests.Snapshots;

public sealed class SnapshotFeedTests
{
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
