using System.Threading.Channels;
using Microsoft.Data.Sqlite;

namespace Portolan.Storage.Sqlite;

/// <summary>
/// The single writer, with group commit. Callers enqueue requests on a channel (no thread per caller); one
/// dedicated thread takes everything queued (up to a batch limit), applies it in one SQLite transaction, commits
/// once (one fsync), then publishes the new revisions to watchers and only then completes the callers' tasks.
/// Under load the queue refills while a commit is in flight, so batches grow with concurrency and the fsync
/// cost is shared. A dedicated thread rather than a pool thread, because commits block on fsync.
/// </summary>
internal sealed class SqliteWriter : IAsyncDisposable
{
    private readonly Channel<WriteRequest> _queue = Channel.CreateUnbounded<WriteRequest>(new UnboundedChannelOptions
    {
        SingleReader = true,
    });

    private static readonly TimeSpan MaxTimerDue = TimeSpan.FromHours(1);

    private readonly TaskCompletionSource _stopped = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly SqliteConnection _connection;
    private readonly WriterCommands _sql;
    private readonly BatchApplier _applier;
    private readonly LeaseTable _leases;
    private readonly WatchHub _hub;
    private readonly ITimer _leaseTimer;
    private readonly int _maxBatchSize;
    private readonly Thread _thread;
    private int _tickQueued;
    private volatile Exception? _fatal;

    public SqliteWriter(SqliteConnection connection, PersistedState state, WatchHub hub, TimeProvider time, int maxBatchSize)
    {
        _connection = connection;
        _hub = hub;
        _maxBatchSize = maxBatchSize;
        _sql = new WriterCommands(connection);
        _leases = new LeaseTable(time);
        foreach (var (id, ttlTicks) in state.Leases)
        {
            _leases.Add(id, TimeSpan.FromTicks(ttlTicks));
        }

        _applier = new BatchApplier(_sql, _leases, state);
        _leaseTimer = time.CreateTimer(static s => ((SqliteWriter)s!).OnLeaseTimer(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        ArmLeaseTimer();
        _thread = new Thread(Run) { IsBackground = true, Name = "portolan-sqlite-writer" };
        _thread.Start();
    }

    /// <summary>Queues a request; throws if the store is closing or the writer has died.</summary>
    public void Enqueue(WriteRequest request)
    {
        if (!_queue.Writer.TryWrite(request))
        {
            throw _fatal is { } fatal
                ? new StoreUnavailableException("The store's writer stopped after an unexpected error.", fatal)
                : new ObjectDisposedException(nameof(SqliteStore));
        }
    }

    /// <summary>Stops taking requests, commits everything already queued, then releases the connection.</summary>
    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _stopped.Task;
        await _leaseTimer.DisposeAsync();
        _sql.Dispose();
        _connection.Dispose();
    }

    private void Run()
    {
        var batch = new List<WriteRequest>(Math.Min(_maxBatchSize, 256));
        var reader = _queue.Reader;
        try
        {
            while (WaitForWork(reader))
            {
                while (batch.Count < _maxBatchSize && reader.TryRead(out var request))
                {
                    if (request is LeaseTick)
                    {
                        Volatile.Write(ref _tickQueued, 0); // the next timer firing may queue another tick.
                    }

                    batch.Add(request);
                }

                Process(batch);
                batch.Clear();
            }
        }
        catch (Exception e)
        {
            // Only a bug gets here (Process handles store failures). Fail everyone rather than hang them.
            _fatal = e;
            _queue.Writer.TryComplete();
            var error = new StoreUnavailableException("The store's writer stopped after an unexpected error.", e);
            foreach (var request in batch)
            {
                request.Fail(error);
            }

            while (reader.TryRead(out var request))
            {
                request.Fail(error);
            }
        }
        finally
        {
            _stopped.TrySetResult();
        }
    }

    private static bool WaitForWork(ChannelReader<WriteRequest> reader)
    {
        // Blocking is fine on this dedicated thread; it has nothing else to do.
        var wait = reader.WaitToReadAsync();
        return wait.IsCompletedSuccessfully ? wait.Result : wait.AsTask().GetAwaiter().GetResult();
    }

    private void Process(List<WriteRequest> batch)
    {
        try
        {
            _applier.Begin();
            _applier.ExpireDueLeases();
            foreach (var request in batch)
            {
                request.Apply(_applier);
            }

            _applier.Commit();
        }
        catch (Exception e) when (e is SqliteException or IOException or InvalidOperationException)
        {
            _applier.Rollback();
            ArmLeaseTimer();
            var error = new StoreUnavailableException("The store could not commit the write; nothing of it was applied.", e);
            foreach (var request in batch)
            {
                request.Fail(error);
            }

            return;
        }

        // Durable from here. Watchers first, then the timer, then callers: by the time a caller sees its
        // revision, GetRevisionAsync and new watches see it too.
        _hub.Publish(_applier.Committed);
        ArmLeaseTimer();
        foreach (var request in batch)
        {
            request.Complete();
        }
    }

    private void ArmLeaseTimer()
    {
        // Timers refuse due times beyond ~49 days; a far deadline is simply re-checked when the capped timer fires.
        var due = _leases.NextExpiryIn();
        _leaseTimer.Change(due is { } d && d > MaxTimerDue ? MaxTimerDue : due ?? Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    private void OnLeaseTimer()
    {
        if (Interlocked.Exchange(ref _tickQueued, 1) == 0 && !_queue.Writer.TryWrite(LeaseTick.Instance))
        {
            Volatile.Write(ref _tickQueued, 0); // closing: nothing to wake.
        }
    }
}
