using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Portolan.Core.Discovery;
using Portolan.Core.Registry;
using Portolan.Core.Snapshots;
using Portolan.Storage;
using Portolan.Storage.Sqlite;
using Portolan.Testing;

namespace Portolan.Core.Tests.Registry;

/// <summary>
/// Two nodes' registries on one store (as two cluster nodes share etcd), the second node's watch held back:
/// a command on the lagging node must wait until its snapshot has what was acknowledged elsewhere, not decide on
/// stale state.
/// </summary>
public sealed class ReadBarrierTests
{
    [Fact]
    public async Task A_command_on_a_lagging_node_waits_for_writes_acknowledged_by_another_node()
    {
        using var dir = new TempDirectory();
        await using var store = await SqliteStore.OpenAsync(Path.Combine(dir.Path, "portolan.db"));
        await using var feedA = new SnapshotFeed(store, NullLogger<SnapshotFeed>.Instance);
        var lagging = new HeldWatchStore(store);
        await using var feedB = new SnapshotFeed(lagging, NullLogger<SnapshotFeed>.Instance);
        await feedA.StartAsync(CancellationToken.None);
        await feedB.StartAsync(CancellationToken.None);
        var nodeA = new DiscoveryRegistry(store, feedA, Options.Create(new RegistryOptions()), TimeProvider.System);
        var nodeB = new DiscoveryRegistry(lagging, feedB, Options.Create(new RegistryOptions()), TimeProvider.System);

        await nodeA.CreateNamespaceAsync(new CreateNamespaceCommand(NamespaceType.Http, "shared"));
        var namespaceId = feedA.Current.FindNamespaceByName("shared")!.Id;
        Assert.Null(feedB.Current.FindNamespaceByName("shared"));   // B has not seen it yet

        var create = nodeB.CreateServiceAsync(new CreateServiceCommand("web", namespaceId));
        await Task.Delay(200);                                       // give a wrong NamespaceNotFound every chance
        Assert.False(create.IsCompleted, create.Exception?.ToString());
        lagging.Release();

        var service = await create.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(namespaceId, feedB.Current.Services[service.Id].Record.NamespaceId); // B reads its own write
    }

    /// <summary>The real store, whose watches deliver nothing until <see cref="Release"/>.</summary>
    private sealed class HeldWatchStore(IStore inner) : IStore
    {
        private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void Release() => _released.TrySetResult();

        public IAsyncEnumerable<WatchBatch> WatchAsync(string prefix, long fromRevision, CancellationToken cancellationToken = default) =>
            Held(inner.WatchAsync(prefix, fromRevision, cancellationToken), cancellationToken);

        private async IAsyncEnumerable<WatchBatch> Held(IAsyncEnumerable<WatchBatch> batches, [EnumeratorCancellation] CancellationToken ct = default)
        {
            await foreach (var batch in batches.WithCancellation(ct))
            {
                await _released.Task.WaitAsync(ct);
                yield return batch;
            }
        }

        public ValueTask<long> GetRevisionAsync(CancellationToken cancellationToken = default) => inner.GetRevisionAsync(cancellationToken);
        public ValueTask<KeyValue?> GetAsync(string key, CancellationToken cancellationToken = default) => inner.GetAsync(key, cancellationToken);
        public ValueTask<RangeResult> RangeAsync(string prefix, RangeOptions? options = null, CancellationToken cancellationToken = default) => inner.RangeAsync(prefix, options, cancellationToken);
        public ValueTask<TxnResult> TxnAsync(Txn txn, CancellationToken cancellationToken = default) => inner.TxnAsync(txn, cancellationToken);
        public ValueTask<long> GrantLeaseAsync(TimeSpan ttl, CancellationToken cancellationToken = default) => inner.GrantLeaseAsync(ttl, cancellationToken);
        public ValueTask KeepAliveAsync(long leaseId, CancellationToken cancellationToken = default) => inner.KeepAliveAsync(leaseId, cancellationToken);
        public ValueTask RevokeLeaseAsync(long leaseId, CancellationToken cancellationToken = default) => inner.RevokeLeaseAsync(leaseId, cancellationToken);
        public ValueTask CompactAsync(long revision, CancellationToken cancellationToken = default) => inner.CompactAsync(revision, cancellationToken);
        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
