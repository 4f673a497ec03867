using Microsoft.Extensions.Logging;
using Portolan.Core.Registry;
using Portolan.Storage;

namespace Portolan.Core.Snapshots;

/// <summary>
/// Keeps the snapshot in step with the store: one full read at start, then the watch from the revision after
/// it, applying each change batch and publishing the result with a single reference write. After a
/// compaction outruns the watch, or the watch fails, it re-reads everything (like an etcd informer relist).
/// The watch covers every key, not only the registry's: revisions that change nothing under <c>/p/</c> (cluster
/// membership, other writers sharing the store) publish no new snapshot but still count as observed, so a
/// caller waiting for the store's current revision (a write's read barrier, a failed compare) is never stuck
/// waiting for a registry change that is not coming.
/// </summary>
public sealed partial class SnapshotFeed : ISnapshotSource, IAsyncDisposable
{
    private readonly IStore _store;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _waitersLock = new();
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private RegistrySnapshot _current = RegistrySnapshot.Empty;
    private long _observed;
    private Task? _loop;
    private int _disposed;

    public SnapshotFeed(IStore store, ILogger<SnapshotFeed> logger)
    {
        _store = store;
        _logger = logger;
    }

    public RegistrySnapshot Current => Volatile.Read(ref _current);

    /// <summary>Loads the first snapshot (so readers never see a partial registry), then follows the watch.</summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        Publish(await LoadAsync(cancellationToken));
        _loop = Task.Run(() => FollowAsync(_stop.Token), CancellationToken.None);
    }

    public async ValueTask WaitForRevisionAsync(long revision, CancellationToken cancellationToken = default)
    {
        while (true)
        {
            Task changed;
            lock (_waitersLock)
            {
                if (_observed >= revision) return;
                changed = _changed.Task;
            }
            await changed.WaitAsync(cancellationToken);
        }
    }

    public async ValueTask WaitForChangeAsync(long revision, CancellationToken cancellationToken = default)
    {
        while (true)
        {
            Task changed;
            lock (_waitersLock)
            {
                if (_current.Revision > revision) return;
                changed = _changed.Task;
            }
            await changed.WaitAsync(cancellationToken);
        }
    }

    private async Task<RegistrySnapshot> LoadAsync(CancellationToken ct)
    {
        var range = await _store.RangeAsync(StoreKeys.Root, null, ct);
        var events = new WatchEvent[range.Kvs.Count];
        for (var i = 0; i < events.Length; i++) events[i] = new WatchEvent(WatchEventType.Put, range.Kvs[i]);
        var snapshot = SnapshotApplier.Apply(RegistrySnapshot.Empty, events, range.Revision);
        LogLoaded(_logger, range.Kvs.Count, range.Revision);
        return snapshot;
    }

    private async Task FollowAsync(CancellationToken ct)
    {
        // Set when the watch can't go on from the snapshot's revision: the next pass re-reads everything first.
        // A failed re-read is retried on the next pass, never left to end the loop (the feed would freeze).
        var relist = false;
        while (!ct.IsCancellationRequested)
        {
            try
            {
                if (relist)
                {
                    Publish(await LoadAsync(ct));
                    relist = false;
                }

                await foreach (var batch in _store.WatchAsync("", Volatile.Read(ref _observed) + 1, ct))
                {
                    var registry = RegistryEvents(batch.Events);
                    if (registry.Count > 0) Publish(SnapshotApplier.Apply(Current, registry, batch.Revision));
                    else Observe(batch.Revision);
                }
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (StoreCompactedException e)
            {
                // Compacted history can't be replayed (an etcd compaction that passed a slow or disconnected watch).
                LogRelist(_logger, e.Message);
                relist = true;
            }
            catch (Exception e) when (!ct.IsCancellationRequested)
            {
                LogWatchFailed(_logger, e);
                relist = true;
                await Task.Delay(TimeSpan.FromMilliseconds(200), ct).ContinueWith(static _ => { }, CancellationToken.None);
            }
        }
    }

    private static IReadOnlyList<WatchEvent> RegistryEvents(IReadOnlyList<WatchEvent> events)
    {
        var all = true;
        foreach (var e in events) all &= e.Kv.Key.StartsWith(StoreKeys.Root, StringComparison.Ordinal);
        return all ? events : events.Where(e => e.Kv.Key.StartsWith(StoreKeys.Root, StringComparison.Ordinal)).ToArray();
    }

    /// <summary>Records that the store reached <paramref name="revision"/> with no registry change, and wakes waiters.</summary>
    private void Observe(long revision)
    {
        TaskCompletionSource changed;
        lock (_waitersLock)
        {
            if (revision <= _observed) return;
            Volatile.Write(ref _observed, revision);
            changed = _changed;
            _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }
        changed.TrySetResult();
    }

    private void Publish(RegistrySnapshot next)
    {
        TaskCompletionSource changed;
        lock (_waitersLock)
        {
            // A relist may read an older revision than a batch already applied only if the store went back in
            // time, which neither SQLite nor etcd does; keep the newest regardless.
            if (next.Revision < _current.Revision || next.Revision < _observed) return;
            Volatile.Write(ref _current, next);
            Volatile.Write(ref _observed, next.Revision);
            changed = _changed;
            _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }
        changed.TrySetResult();
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        await _stop.CancelAsync();
        if (_loop is not null) await _loop.ConfigureAwait(false);
        _stop.Dispose();
    }

    [LoggerMessage(1, LogLevel.Information, "Snapshot loaded: {Keys} keys at revision {Revision}.")]
    private static partial void LogLoaded(ILogger logger, int keys, long revision);

    [LoggerMessage(2, LogLevel.Warning, "Watch fell behind a compaction; reloading the snapshot. {Detail}")]
    private static partial void LogRelist(ILogger logger, string detail);

    [LoggerMessage(3, LogLevel.Error, "Snapshot watch failed; reloading.")]
    private static partial void LogWatchFailed(ILogger logger, Exception exception);
}
