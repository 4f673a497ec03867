using Microsoft.Extensions.Logging;
using Portolan.Core.Registry;
using Portolan.Storage;

namespace Portolan.Core.Snapshots;

/// <summary>
/// Keeps the snapshot in step with the store: one full read at start, then the watch from the revision after
/// it, applying each change batch and publishing the result with a single reference write. After a
/// compaction outruns the watch, or the watch fails, it re-reads everything (like an etcd informer relist).
/// </summary>
/// <remarks>
/// A group commit delivers many revisions at once; they are applied one after another and published once, when
/// the watch has nothing more ready. Waiters wait for a revision and are woken only when it is published, so a
/// commit of N writes with N callers waiting costs N wake-ups, not N for every revision (N²), which at a few
/// hundred concurrent writers had cost more than the writes themselves.
/// </remarks>
public sealed partial class SnapshotFeed : ISnapshotSource, IAsyncDisposable
{
    private readonly IStore _store;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _waitersLock = new();
    private readonly PriorityQueue<TaskCompletionSource, long> _waiters = new();
    private RegistrySnapshot _current = RegistrySnapshot.Empty;
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
            if (_current.Revision >= revision) return ValueTask.CompletedTask;
            reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Enqueue(reached, revision);
        }
        // A cancelled wait leaves its entry behind until that revision comes; completing it then is harmless.
        return new ValueTask(cancellationToken.CanBeCanceled ? reached.Task.WaitAsync(cancellationToken) : reached.Task);
    }

    public async ValueTask WaitForChangeAsync(long revision, CancellationToken cancellationToken = default) =>
        await WaitForRevisionAsync(revision + 1, cancellationToken);

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
        while (!ct.IsCancellationRequested)
        {
            try
            {
                await using var watch = _store.WatchAsync(StoreKeys.Root, Current.Revision + 1, ct).GetAsyncEnumerator(ct);
                var next = Current;
                while (true)
                {
                    var more = watch.MoveNextAsync();
                    // Publish what has been applied once the watch has nothing more ready (a whole group commit).
                    if (!more.IsCompleted && next.Revision > Current.Revision) Publish(next);
                    if (!await more) break;
                    next = SnapshotApplier.Apply(next, watch.Current.Events, watch.Current.Revision);
                }

                if (next.Revision > Current.Revision) Publish(next);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (StoreCompactedException e)
            {
                LogRelist(_logger, e.Message);
                Publish(await LoadAsync(ct));
            }
            catch (Exception e) when (!ct.IsCancellationRequested)
            {
                LogWatchFailed(_logger, e);
                await Task.Delay(TimeSpan.FromMilliseconds(200), ct).ContinueWith(static _ => { }, CancellationToken.None);
                try { Publish(await LoadAsync(ct)); }
                catch (Exception again) when (!ct.IsCancellationRequested) { LogWatchFailed(_logger, again); }
            }
        }
    }

    private void Publish(RegistrySnapshot next)
    {
        List<TaskCompletionSource>? reached = null;
        lock (_waitersLock)
        {
            // A relist may read an older revision than a batch already applied only if the store went back in
            // time, which neither SQLite nor etcd does; keep the newest regardless.
            if (next.Revision < _current.Revision) return;
            Volatile.Write(ref _current, next);
            while (_waiters.TryPeek(out var waiter, out var revision) && revision <= next.Revision)
            {
                _waiters.Dequeue();
                (reached ??= []).Add(waiter);
            }
        }
        if (reached is null) return;
        foreach (var waiter in reached) waiter.TrySetResult();
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
