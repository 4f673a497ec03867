using Microsoft.Data.Sqlite;

namespace Portolan.Storage.Sqlite;

/// <summary>
/// One read connection with its prepared statements. Every public read runs inside <see cref="InSnapshot{T}"/>:
/// in WAL mode a read transaction sees one committed state from its first statement to its end, which is what
/// makes a range "as of one revision". A read that starts after a commit returned sees that commit, so reads
/// observe every write acknowledged before them. Not thread-safe: one caller at a time, via <see cref="ReadPool"/>.
/// </summary>
internal sealed class ReadSession : IDisposable
{
    private const string KvColumns = "key, value, create_rev, mod_rev, version, lease";
    private const string ChangeColumns = "rev, key, deleted, value, create_rev, version, lease";

    private readonly SqliteConnection _connection;
    private readonly SqliteCommand _begin;
    private readonly SqliteCommand _end;
    private readonly SqliteCommand _meta;
    private readonly SqliteCommand _get;
    // Shapes: [lower bound exclusive?, has upper bound?] for ranges, [has upper bound?] for changes.
    private readonly SqliteCommand?[] _range = new SqliteCommand?[4];
    private readonly SqliteCommand?[] _changes = new SqliteCommand?[2];

    public ReadSession(string connectionString)
    {
        _connection = SqliteSchema.OpenReader(connectionString);
        _begin = Prepare("BEGIN DEFERRED;");
        _end = Prepare("COMMIT;");
        _meta = Prepare("SELECT (SELECT value FROM meta WHERE name = 'revision'), (SELECT value FROM meta WHERE name = 'compact_revision');");
        _get = Prepare($"SELECT {KvColumns} FROM kv WHERE key = $key;", "$key");
    }

    /// <summary>Runs <paramref name="read"/> inside one read transaction (one consistent snapshot).</summary>
    public T InSnapshot<T>(Func<ReadSession, T> read)
    {
        _begin.ExecuteNonQuery();
        try
        {
            var result = read(this);
            _end.ExecuteNonQuery();
            return result;
        }
        catch
        {
            if (InTransaction())
            {
                using var rollback = _connection.CreateCommand();
                rollback.CommandText = "ROLLBACK;";
                rollback.ExecuteNonQuery();
            }

            throw;
        }
    }

    public (long Revision, long CompactRevision) ReadMeta()
    {
        using var reader = _meta.ExecuteReader();
        reader.Read();
        return (reader.GetInt64(0), reader.GetInt64(1));
    }

    public KeyValue? Get(string key)
    {
        _get.Parameters[0].Value = key;
        using var reader = _get.ExecuteReader();
        return reader.Read() ? ReadKv(reader) : null;
    }

    /// <summary>Keys under <paramref name="prefix"/> after <paramref name="startAfter"/>, at most <paramref name="limit"/> (0 = all).</summary>
    public List<KeyValue> Range(string prefix, string? startAfter, int limit, out bool more)
    {
        // The tighter lower bound goes to SQL, so the index seek starts where the page starts.
        var exclusive = startAfter is not null && KeyRules.Comparer.Compare(startAfter, prefix) >= 0;
        var lower = exclusive ? startAfter! : prefix;
        var upper = KeyRules.UpperBound(prefix);
        var shape = (exclusive ? 2 : 0) + (upper is null ? 0 : 1);
        var command = _range[shape] ??= Prepare(
            $"SELECT {KvColumns} FROM kv WHERE key {(exclusive ? ">" : ">=")} $lo {(upper is null ? "" : "AND key < $hi ")}ORDER BY key LIMIT $limit;",
            "$lo", "$limit", "$hi");
        command.Parameters[0].Value = lower;
        command.Parameters[1].Value = limit > 0 ? limit + 1L : -1L;
        command.Parameters[2].Value = (object?)upper ?? DBNull.Value;

        var kvs = new List<KeyValue>();
        more = false;
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            var key = reader.GetString(0);
            if (!KeyRules.InPrefix(key, prefix))
            {
                break; // only reachable without an upper bound: keys under a prefix are contiguous.
            }

            if (limit > 0 && kvs.Count == limit)
            {
                more = true;
                break;
            }

            kvs.Add(ReadKv(reader));
        }

        return kvs;
    }

    /// <summary>
    /// Change-log rows under <paramref name="prefix"/> after position (<paramref name="afterRev"/>, <paramref name="afterKey"/>)
    /// up to revision <paramref name="toRev"/>, in (revision, key) order.
    /// </summary>
    public List<(long Revision, WatchEvent Event)> Changes(string prefix, long afterRev, string afterKey, long toRev, int limit)
    {
        var upper = KeyRules.UpperBound(prefix);
        var command = _changes[upper is null ? 0 : 1] ??= Prepare(
            $"SELECT {ChangeColumns} FROM changes WHERE rev >= $rev AND rev <= $to AND (rev > $rev OR key > $key) AND key >= $lo "
            + (upper is null ? "AND substr(key, 1, length($lo)) = $lo " : "AND key < $hi ")
            + "ORDER BY rev, key LIMIT $limit;",
            "$rev", "$key", "$to", "$lo", "$limit", "$hi");
        command.Parameters[0].Value = afterRev;
        command.Parameters[1].Value = afterKey;
        command.Parameters[2].Value = toRev;
        command.Parameters[3].Value = prefix;
        command.Parameters[4].Value = (long)limit;
        command.Parameters[5].Value = (object?)upper ?? DBNull.Value;

        var rows = new List<(long, WatchEvent)>();
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            var rev = reader.GetInt64(0);
            var key = reader.GetString(1);
            var change = reader.GetInt64(2) != 0
                ? new WatchEvent(WatchEventType.Delete, new KeyValue(key, ReadOnlyMemory<byte>.Empty, 0, rev, 0, 0))
                : new WatchEvent(WatchEventType.Put, new KeyValue(key, Blob(reader, 3), reader.GetInt64(4), rev, reader.GetInt64(5), reader.GetInt64(6)));
            rows.Add((rev, change));
        }

        return rows;
    }

    public void Dispose()
    {
        foreach (var command in _range.Concat(_changes).Append(_begin).Append(_end).Append(_meta).Append(_get))
        {
            command?.Dispose();
        }

        _connection.Dispose();
    }

    private static KeyValue ReadKv(SqliteDataReader reader) => new(
        reader.GetString(0), Blob(reader, 1), reader.GetInt64(2), reader.GetInt64(3), reader.GetInt64(4), reader.GetInt64(5));

    private static byte[] Blob(SqliteDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? [] : reader.GetFieldValue<byte[]>(ordinal);

    private bool InTransaction()
    {
        // autocommit is off exactly while a transaction is open on this connection.
        return SQLitePCL.raw.sqlite3_get_autocommit(_connection.Handle) == 0;
    }

    private SqliteCommand Prepare(string sql, params string[] parameters)
    {
        var command = _connection.CreateCommand();
        command.CommandText = sql;
        foreach (var name in parameters)
        {
            command.Parameters.Add(new SqliteParameter(name, null));
        }

        command.Prepare();
        return command;
    }
}
