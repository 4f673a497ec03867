namespace Portolan.Storage;

/// <summary>
/// Thrown by <see cref="IStore.WatchAsync"/> when the requested start revision has been compacted away,
/// as etcd does. The watcher must re-read the whole prefix (<see cref="IStore.RangeAsync"/>) and watch from
/// that read's revision + 1.
/// </summary>
public sealed class StoreCompactedException(long requestedRevision, long compactRevision)
    : Exception($"Revision {requestedRevision} has been compacted; the oldest revision kept is {compactRevision + 1}.")
{
    public long RequestedRevision { get; } = requestedRevision;
    public long CompactRevision { get; } = compactRevision;
}

/// <summary>Thrown when a lease is used (put, keep-alive) after it expired or was revoked.</summary>
public sealed class LeaseNotFoundException(long leaseId) : Exception($"Lease {leaseId} not found.")
{
    public long LeaseId { get; } = leaseId;
}

/// <summary>The store could not be reached or failed; the write was not acknowledged.</summary>
public sealed class StoreUnavailableException(string message, Exception? inner = null) : Exception(message, inner);
