using System.Collections.Concurrent;
using Microsoft.Data.Sqlite;

namespace Portolan.Storage.Sqlite;

/// <summary>
/// Read connections, separate from the writer's so reads never queue behind a commit (WAL lets readers and
/// the writer run at once). Sessions are reused to keep their prepared statements; a burst opens extra ones,
/// which are closed on return once <c>maxIdle</c> are already parked.
/// </summary>
internal sealed class ReadPool : IDisposable
{
    private readonly ConcurrentBag<ReadSession> _idle = [];
    private readonly string _connectionString;
    private readonly int _maxIdle;
    private int _idleCount;
    private volatile bool _disposed;

    public ReadPool(string path, int maxIdle)
    {
        _connectionString = SqliteSchema.ConnectionString(path, SqliteOpenMode.ReadWrite);
        _maxIdle = maxIdle;
    }

    /// <summary>Runs <paramref name="read"/> in one read transaction on a pooled connection.</summary>
    public T Read<T>(Func<ReadSession, T> read)
    {
        var session = Rent();
        var healthy = false;
        try
        {
            var result = session.InSnapshot(read);
            healthy = true;
            return result;
        }
        catch (SqliteException e)
        {
            throw new StoreUnavailableException($"The store could not be read: {e.Message}", e);
        }
        finally
        {
            if (healthy)
            {
                Return(session);
            }
            else
            {
                // A failed read may leave the connection in an unknown state; a fresh one is cheap.
                session.Dispose();
            }
        }
    }

    public void Dispose()
    {
        _disposed = true;
        Drain();
    }

    private ReadSession Rent()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_idle.TryTake(out var session))
        {
            Interlocked.Decrement(ref _idleCount);
            return session;
        }

        return new ReadSession(_connectionString);
    }

    private void Return(ReadSession session)
    {
        if (_disposed || Interlocked.Increment(ref _idleCount) > _maxIdle)
        {
            if (!_disposed)
            {
                Interlocked.Decrement(ref _idleCount);
            }

            session.Dispose();
            return;
        }

        _idle.Add(session);
        if (_disposed)
        {
            Drain(); // lost a race with Dispose: do not leave an open connection behind.
        }
    }

    private void Drain()
    {
        while (_idle.TryTake(out var session))
        {
            Interlocked.Decrement(ref _idleCount);
            session.Dispose();
        }
    }
}
