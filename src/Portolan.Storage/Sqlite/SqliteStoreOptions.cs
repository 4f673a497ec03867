namespace Portolan.Storage.Sqlite;

/// <summary>Tuning knobs of <see cref="SqliteStore"/>; the defaults suit a single node.</summary>
public sealed class SqliteStoreOptions
{
    /// <summary>
    /// Most queued writes one SQLite transaction (one fsync) commits together. Larger batches raise throughput
    /// under load and the latency of the unlucky last caller of a batch.
    /// </summary>
    public int MaxBatchSize { get; init; } = 1024;

    /// <summary>
    /// Revisions a live watcher may have pending before it is cut off the live feed and sent back to re-read the
    /// change log from where it stopped. Bounds a slow watcher's memory without ever stalling the writer.
    /// </summary>
    public int WatchBufferCapacity { get; init; } = 1024;

    /// <summary>Change-log rows a watcher reads per read transaction while replaying history.</summary>
    public int WatchReplayChunkSize { get; init; } = 512;

    /// <summary>Idle read connections kept open for reuse (more are opened on demand under load).</summary>
    public int MaxIdleReadConnections { get; init; } = 4;

    internal void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxBatchSize, 1, nameof(MaxBatchSize));
        ArgumentOutOfRangeException.ThrowIfLessThan(WatchBufferCapacity, 1, nameof(WatchBufferCapacity));
        ArgumentOutOfRangeException.ThrowIfLessThan(WatchReplayChunkSize, 1, nameof(WatchReplayChunkSize));
        ArgumentOutOfRangeException.ThrowIfNegative(MaxIdleReadConnections, nameof(MaxIdleReadConnections));
    }
}
