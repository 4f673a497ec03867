using Microsoft.Data.Sqlite;

namespace Portolan.Storage.Sqlite;

/// <summary>
/// <see cref="IStore"/> over one SQLite file in WAL mode, for a single Portolan node. Writes go through one
/// writer thread with group commit (<see cref="SqliteWriter"/>); reads use their own connections and see one
/// committed snapshot each; watches replay the change log and then follow the live feed (<see cref="WatchHub"/>).
/// One process at a time may open a given file: a lock file next to it (an OS advisory lock, released by the
/// kernel even on kill -9) stops a second store from writing the same revisions.
/// </summary>
public sealed class SqliteStore : IStore
{
    private readonly FileStream _lock;
    private readonly SqliteWriter _writer;
    private readonly WatchHub _hub;
    private readonly ReadPool _reads;
    private readonly SqliteStoreOptions _options;
    private int _disposed;

    private SqliteStore(FileStream lockFile, SqliteWriter writer, WatchHub hub, ReadPool reads, SqliteStoreOptions options)
    {
        _lock = lockFile;
        _writer = writer;
        _hub = hub;
        _reads = reads;
        _options = options;
    }

    /// <summary>The database file this store writes.</summary>
    public string Path { get; private init; } = string.Empty;

    /// <summary>Opens (creating if needed, with its parent directory) the store at <paramref name="path"/>.</summary>
    /// <param name="path">The SQLite file; <c>PATH-wal</c>, <c>PATH-shm</c> and <c>PATH.lock</c> live beside it.</param>
    /// <param name="options">Tuning; defaults when null.</param>
    /// <param name="time">Clock for lease expiry; <see cref="TimeProvider.System"/> when null.</param>
    /// <param name="cancellationToken">Checked before opening.</param>
    /// <exception cref="StoreUnavailableException">The file is in use by another store, or cannot be opened.</exception>
    public static Task<SqliteStore> OpenAsync(string path, SqliteStoreOptions? options = null, TimeProvider? time = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        cancellationToken.ThrowIfCancellationRequested();
        options ??= new SqliteStoreOptions();
        options.Validate();
        time ??= TimeProvider.System;

        var fullPath = System.IO.Path.GetFullPath(path);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(fullPath)!);
        var lockFile = AcquireLock(fullPath + ".lock");
        SqliteConnection? connection = null;
        try
        {
            connection = SqliteSchema.OpenWriter(fullPath);
            var state = SqliteSchema.Load(connection);
            var hub = new WatchHub(state.Revision, options.WatchBufferCapacity);
            var writer = new SqliteWriter(connection, state, hub, time, options.MaxBatchSize);
            var reads = new ReadPool(fullPath, options.MaxIdleReadConnections);
            return Task.FromResult(new SqliteStore(lockFile, writer, hub, reads, options) { Path = fullPath });
        }
        catch (Exception e)
        {
            connection?.Dispose();
            lockFile.Dispose();
            if (e is SqliteException)
            {
                throw new StoreUnavailableException($"Cannot open the store at '{fullPath}': {e.Message}", e);
            }

            throw;
        }
    }

    public ValueTask<long> GetRevisionAsync(CancellationToken cancellationToken = default)
    {
        ThrowIfDisposed();
        // Published only after the commit and before any caller is told, so it covers every acknowledged write.
        return ValueTask.FromResult(_hub.PublishedRevision);
    }

    public ValueTask<KeyValue?> GetAsync(string key, CancellationToken cancellationToken = default)
    {
        KeyRules.Validate(key, nameof(key));
        ThrowIfDisposed();
        cancellationToken.ThrowIfCancellationRequested();
        return ValueTask.FromResult(_reads.Read(s => s.Get(key)));
    }

    public ValueTask<RangeResult> RangeAsync(string prefix, RangeOptions? options = null, CancellationToken cancellationToken = default)
    {
        KeyRules.Validate(prefix, nameof(prefix), allowEmpty: true);
        var limit = options?.Limit ?? 0;
        var startAfter = options?.StartAfter;
        ArgumentOutOfRangeException.ThrowIfNegative(limit, nameof(options));
        if (startAfter is not null)
        {
            KeyRules.Validate(startAfter, nameof(options), allowEmpty: true);
        }

        ThrowIfDisposed();
        cancellationToken.ThrowIfCancellationRequested();
        return ValueTask.FromResult(_reads.Read(s =>
        {
            var (revision, _) = s.ReadMeta();
            var kvs = s.Range(prefix, startAfter, limit, out var more);
            return new RangeResult(kvs, revision, more);
        }));
    }

    public ValueTask<TxnResult> TxnAsync(Txn txn, CancellationToken cancellationToken = default)
    {
        TxnRules.Validate(txn);
        return Submit(new TxnRequest(txn, cancellationToken), cancellationToken);
    }

    public IAsyncEnumerable<WatchBatch> WatchAsync(string prefix, long fromRevision, CancellationToken cancellationToken = default)
    {
        // Validated here, not inside the iterator, so a bad call fails at once rather than on first MoveNext.
        KeyRules.Validate(prefix, nameof(prefix), allowEmpty: true);
        ArgumentOutOfRangeException.ThrowIfNegative(fromRevision);
        ThrowIfDisposed();
        return WatchStream.RunAsync(_hub, _reads, prefix, fromRevision, _options.WatchReplayChunkSize, cancellationToken);
    }

    public async ValueTask<long> GrantLeaseAsync(TimeSpan ttl, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(ttl, TimeSpan.Zero);
        return await Submit(new GrantLeaseRequest(ttl, cancellationToken), cancellationToken);
    }

    public async ValueTask KeepAliveAsync(long leaseId, CancellationToken cancellationToken = default) =>
        await Submit(new KeepAliveRequest(leaseId, cancellationToken), cancellationToken);

    public async ValueTask RevokeLeaseAsync(long leaseId, CancellationToken cancellationToken = default) =>
        await Submit(new RevokeLeaseRequest(leaseId, cancellationToken), cancellationToken);

    public async ValueTask CompactAsync(long revision, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(revision);
        await Submit(new CompactRequest(revision, cancellationToken), cancellationToken);
    }

    /// <summary>
    /// Commits every write already queued (their callers get real outcomes), refuses new ones, ends every watch,
    /// and closes the connections and the lock file. Idempotent.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _writer.DisposeAsync();
        _hub.Close();
        _reads.Dispose();
        await _lock.DisposeAsync();
    }

    private static FileStream AcquireLock(string lockPath)
    {
        try
        {
            // FileShare.None is an exclusive advisory lock (flock on Unix): held until closed or the process dies.
            return new FileStream(lockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException e)
        {
            throw new StoreUnavailableException($"The store at '{lockPath[..^5]}' is already open (locked by '{lockPath}').", e);
        }
    }

    private ValueTask<T> Submit<T>(WriteRequest<T> request, CancellationToken cancellationToken)
    {
        ThrowIfDisposed();
        cancellationToken.ThrowIfCancellationRequested();
        _writer.Enqueue(request);
        return new ValueTask<T>(request.Task);
    }

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
}
