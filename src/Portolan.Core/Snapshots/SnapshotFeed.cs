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
/// <remarks>
/// A group commit delivers many revisions at once; they are applied one after another and published once, when
/// the watch has nothing more ready. Waiters wait for a revision and are woken only when it is reached, so a
/// commit of N writes with N callers waiting costs N wake-ups, not N for every revision (N²), which at a few
/// hundred concurrent writers had cost more than the writes themselves.
/// </remarks>
public sealed partial class SnapshotFeed : ISnapshotSource, IAsyncDisposable
{
    private readonly IStore _store;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _waitersLock = new();
    private readonly PriorityQueue<TaskCompletionSource, long> _revisionWaiters = new(); // until _observed >= priority
    private readonly PriorityQueue<TaskCompletionSource, long> _changeWaiters = new();   // until _current.Revision > priority
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

    public ValueTask WaitForRevisionAsync(long revision, CancellationToken cancellationToken = default)
    {
        TaskCompletionSource reached;
        lock (_waitersLock)
        {
            if (_observed >= revision) return ValueTask.CompletedTask;
            reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _revisionWaiters.Enqueue(reached, revision);
        }
        return Wait(reached, cancellationToken);
    }

    public ValueTask WaitForChangeAsync(long revision, CancellationToken cancellationToken = default)
    {
        TaskCompletionSource changed;
        lock (_waitersLock)
        {
            if (_current.Revision > revision) return ValueTask.CompletedTask;
            changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _changeWaiters.Enqueue(changed, revision);
        }
        return Wait(changed, cancellationToken);
    }

    // A cancelled wait leaves its entry queued until its revision comes; completing it then is harmless.
    private static ValueTask Wait(TaskCompletionSource waiter, CancellationToken ct) =>
        new(ct.CanBeCanceled ? waiter.Task.WaitAsync(ct) : waiter.Task);

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

                await using var watch = _store.WatchAsync("", Volatile.Read(ref _observed) + 1, ct).GetAsyncEnumerator(ct);
                var next = Current;
                var observed = Volatile.Read(ref _observed);
                while (true)
                {
                    var more = watch.MoveNextAsync();
                    // Publish what has been applied once the watch has nothing more ready (a whole group commit).
                    if (!more.IsCompleted) Catch(next, observed);
                    if (!await more) break;
                    var batch = watch.Current;
                    var registry = RegistryEvents(batch.Events);
                    if (registry.Count > 0) next = SnapshotApplier.Apply(next, registry, batch.Revision);
                    observed = Math.Max(observed, batch.Revision);
                }

                Catch(next, observed);
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

    private void Publish(RegistrySnapshot next) => Catch(next, next.Revision);

    /// <summary>
    /// Publishes <paramref name="next"/> if it is newer than the current snapshot, records that the store reached
    /// <paramref name="observed"/> (revisions past the snapshot's changed nothing in the registry), and wakes
    /// the waiters that this satisfies, and only those.
    /// </summary>
    private void Catch(RegistrySnapshot next, long observed)
    {
        List<TaskCompletionSource>? woken = null;
        lock (_waitersLock)
        {
            // A relist may read an older revision than a batch already applied only if the store went back in
            // time, which neither SQLite nor etcd does; keep the newest regardless.
            if (next.Revision > _current.Revision) Volatile.Write(ref _current, next);
            if (Math.Max(observed, next.Revision) > _observed) Volatile.Write(ref _observed, Math.Max(observed, next.Revision));
            Dequeue(_revisionWaiters, _observed, ref woken);
            Dequeue(_changeWaiters, _current.Revision - 1, ref woken);
        }
        if (woken is null) return;
        foreach (var waiter in woken) waiter.TrySetResult();
    }

    private static void Dequeue(PriorityQueue<TaskCompletionSource, long> waiters, long upTo, ref List<TaskCompletionSource>? into)
    {
        while (waiters.TryPeek(out var waiter, out var revision) && revision <= upTo)
        {
            waiters.Dequeue();
            (into ??= []).Add(waiter);
        }
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
