namespace Portolan.Storage;

/// <summary>
/// The state store every Portolan node writes through, shaped after etcd's v3 API so that SQLite (one node)
/// and etcd (a cluster) implement it alike. Contract, checked by the shared store contract tests:
/// <list type="bullet">
/// <item>Every successful transaction with at least one effective write gets the next revision; revisions
/// only grow, start at 1 for the first write, and an empty store is at revision 0.</item>
/// <item><see cref="TxnAsync"/> returns only once the write is durable: it survives <c>kill -9</c> of the
/// process. Concurrent calls may be committed together (group commit) but each gets its own revision.</item>
/// <item>Reads are linearizable with writes acknowledged before them on this node.</item>
/// <item>Watches deliver every change under the prefix in revision order, exactly once, starting at the
/// requested revision; history older than the last compaction raises <see cref="StoreCompactedException"/>.</item>
/// <item>Keys attached to a lease are deleted (with delete events) when the lease expires or is revoked.</item>
/// </list>
/// All members are thread-safe.
/// </summary>
public interface IStore : IAsyncDisposable
{
    /// <summary>The revision of the last committed write (0 for an empty store).</summary>
    ValueTask<long> GetRevisionAsync(CancellationToken cancellationToken = default);

    /// <summary>Reads one key, or null when absent.</summary>
    ValueTask<KeyValue?> GetAsync(string key, CancellationToken cancellationToken = default);

    /// <summary>
    /// Reads every key starting with <paramref name="prefix"/> (<c>""</c> = all keys), in ordinal order, as of one revision.
    /// "Ordinal" is the order of the keys' UTF-8 bytes, which is what SQLite and etcd compare; it equals .NET ordinal
    /// order for keys without characters outside the Basic Multilingual Plane (Portolan's keys are ASCII).
    /// </summary>
    ValueTask<RangeResult> RangeAsync(string prefix, RangeOptions? options = null, CancellationToken cancellationToken = default);

    /// <summary>Applies <paramref name="txn"/> atomically if all its compares hold; durable on return.</summary>
    /// <remarks>
    /// Throws <see cref="ArgumentException"/> for a malformed transaction (see <see cref="Txn"/>) and
    /// <see cref="LeaseNotFoundException"/> when the compares held but a put names a lease that does not exist;
    /// neither writes anything. Cancellation is honoured only until the store starts applying the transaction.
    /// </remarks>
    ValueTask<TxnResult> TxnAsync(Txn txn, CancellationToken cancellationToken = default);

    /// <summary>
    /// Streams the changes under <paramref name="prefix"/> from <paramref name="fromRevision"/> on (inclusive),
    /// one batch per revision, until cancelled. Never completes on its own while the store is open; completes
    /// normally when the store is disposed, and throws <see cref="OperationCanceledException"/> when cancelled.
    /// Revision 0 holds no change, so <paramref name="fromRevision"/> 0 means the same as 1: all history still kept
    /// (and therefore <see cref="StoreCompactedException"/> once anything was compacted). A future revision simply
    /// waits for it. Negative values throw <see cref="ArgumentOutOfRangeException"/>. A watcher that falls behind a
    /// compaction (because it is slow) gets <see cref="StoreCompactedException"/> too, as in etcd.
    /// A batch may hold no events: a progress notification (etcd's), saying every change under the prefix up to its
    /// <see cref="WatchBatch.Revision"/> was delivered, sent when keys outside the prefix moved the store's revision.
    /// Watchers that wait for a revision (e.g. one read from <see cref="GetRevisionAsync"/>) rely on them; others
    /// just skip them. The SQLite store never sends them.
    /// </summary>
    IAsyncEnumerable<WatchBatch> WatchAsync(string prefix, long fromRevision, CancellationToken cancellationToken = default);

    /// <summary>Creates a lease that expires after <paramref name="ttl"/> unless kept alive; returns its id (never 0).</summary>
    ValueTask<long> GrantLeaseAsync(TimeSpan ttl, CancellationToken cancellationToken = default);

    /// <summary>Renews a lease for its full TTL. Throws <see cref="LeaseNotFoundException"/> if it is gone.</summary>
    ValueTask KeepAliveAsync(long leaseId, CancellationToken cancellationToken = default);

    /// <summary>Ends a lease now, deleting the keys attached to it. Revoking an unknown lease does nothing.</summary>
    ValueTask RevokeLeaseAsync(long leaseId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Discards change history at or below <paramref name="revision"/>; current keys are kept. Compacting at or
    /// below an earlier compaction does nothing; beyond the current revision throws <see cref="ArgumentOutOfRangeException"/>.
    /// </summary>
    ValueTask CompactAsync(long revision, CancellationToken cancellationToken = default);
}
