using Microsoft.Data.Sqlite;

namespace Portolan.Storage.Sqlite;

/// <summary>
/// The writer connection's statements, prepared once and rebound per use: at thousands of writes per second
/// re-parsing SQL would cost more than executing it. Transactions are opened with plain BEGIN/COMMIT text
/// because one SQLite transaction spans a whole batch of callers' transactions.
/// </summary>
internal sealed class WriterCommands : IDisposable
{
    private readonly SqliteConnection _connection;
    private readonly List<SqliteCommand> _all = [];
    private readonly SqliteCommand _begin;
    private readonly SqliteCommand _commit;
    private readonly SqliteCommand _readKey;
    private readonly SqliteCommand _upsert;
    private readonly SqliteCommand _deleteKey;
    private readonly SqliteCommand _deleteRange;
    private readonly SqliteCommand _deletePrefixUnbounded;
    private readonly SqliteCommand _deleteByLease;
    private readonly SqliteCommand _logPut;
    private readonly SqliteCommand _logDelete;
    private readonly SqliteCommand _setMeta;
    private readonly SqliteCommand _insertLease;
    private readonly SqliteCommand _deleteLease;
    private readonly SqliteCommand _compact;

    public WriterCommands(SqliteConnection connection)
    {
        _connection = connection;
        // IMMEDIATE takes the write lock up front, so a batch never fails half-way on a lock upgrade.
        _begin = Prepare("BEGIN IMMEDIATE;");
        _commit = Prepare("COMMIT;");
        _readKey = Prepare("SELECT create_rev, mod_rev, version, value FROM kv WHERE key = $key;", "$key");
        _upsert = Prepare(
            """
            INSERT INTO kv(key, value, create_rev, mod_rev, version, lease) VALUES($key, $value, $rev, $rev, 1, $lease)
            ON CONFLICT(key) DO UPDATE SET value = excluded.value, mod_rev = excluded.mod_rev, version = kv.version + 1, lease = excluded.lease
            RETURNING create_rev, version;
            """,
            "$key", "$value", "$rev", "$lease");
        _deleteKey = Prepare("DELETE FROM kv WHERE key = $key RETURNING key;", "$key");
        _deleteRange = Prepare("DELETE FROM kv WHERE key >= $lo AND key < $hi RETURNING key;", "$lo", "$hi");
        _deletePrefixUnbounded = Prepare("DELETE FROM kv WHERE key >= $lo AND substr(key, 1, length($lo)) = $lo RETURNING key;", "$lo");
        // "lease <> 0" repeats the partial index's condition so SQLite can use kv_by_lease.
        _deleteByLease = Prepare("DELETE FROM kv WHERE lease = $lease AND lease <> 0 RETURNING key;", "$lease");
        _logPut = Prepare(
            "INSERT INTO changes(rev, key, deleted, value, create_rev, version, lease) VALUES($rev, $key, 0, $value, $create, $version, $lease);",
            "$rev", "$key", "$value", "$create", "$version", "$lease");
        _logDelete = Prepare("INSERT INTO changes(rev, key, deleted, value, create_rev, version, lease) VALUES($rev, $key, 1, NULL, 0, 0, 0);", "$rev", "$key");
        _setMeta = Prepare("UPDATE meta SET value = $value WHERE name = $name;", "$name", "$value");
        _insertLease = Prepare("INSERT INTO leases(id, ttl_ticks) VALUES($id, $ttl);", "$id", "$ttl");
        _deleteLease = Prepare("DELETE FROM leases WHERE id = $id;", "$id");
        _compact = Prepare("DELETE FROM changes WHERE rev <= $rev;", "$rev");
    }

    public void Begin() => _begin.ExecuteNonQuery();

    public void Commit() => _commit.ExecuteNonQuery();

    /// <summary>Rolls back if a transaction is open; never throws (it runs on the failure path).</summary>
    public void RollbackQuietly()
    {
        try
        {
            if (SQLitePCL.raw.sqlite3_get_autocommit(_connection.Handle) == 0)
            {
                using var rollback = _connection.CreateCommand();
                rollback.CommandText = "ROLLBACK;";
                rollback.ExecuteNonQuery();
            }
        }
        catch (SqliteException)
        {
            // SQLite already rolled back (e.g. after an I/O error); nothing left to undo.
        }
    }

    public (long CreateRevision, long ModRevision, long Version, byte[]? Value)? ReadKey(string key, bool withValue)
    {
        _readKey.Parameters[0].Value = key;
        using var reader = _readKey.ExecuteReader();
        if (!reader.Read())
        {
            return null;
        }

        var value = withValue ? (reader.IsDBNull(3) ? [] : reader.GetFieldValue<byte[]>(3)) : null;
        return (reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2), value);
    }

    /// <summary>Writes the key and its change-log row; returns its create revision and version after the put.</summary>
    public (long CreateRevision, long Version) Put(long revision, string key, byte[] value, long lease)
    {
        _upsert.Parameters[0].Value = key;
        _upsert.Parameters[1].Value = value;
        _upsert.Parameters[2].Value = revision;
        _upsert.Parameters[3].Value = lease;
        long create, version;
        using (var reader = _upsert.ExecuteReader())
        {
            reader.Read();
            (create, version) = (reader.GetInt64(0), reader.GetInt64(1));
        }

        _logPut.Parameters[0].Value = revision;
        _logPut.Parameters[1].Value = key;
        _logPut.Parameters[2].Value = value;
        _logPut.Parameters[3].Value = create;
        _logPut.Parameters[4].Value = version;
        _logPut.Parameters[5].Value = lease;
        _logPut.ExecuteNonQuery();
        return (create, version);
    }

    public bool DeleteKey(string key)
    {
        _deleteKey.Parameters[0].Value = key;
        return Keys(_deleteKey).Count > 0;
    }

    public List<string> DeletePrefix(string prefix)
    {
        var upper = KeyRules.UpperBound(prefix);
        if (upper is null)
        {
            _deletePrefixUnbounded.Parameters[0].Value = prefix;
            return Keys(_deletePrefixUnbounded);
        }

        _deleteRange.Parameters[0].Value = prefix;
        _deleteRange.Parameters[1].Value = upper;
        return Keys(_deleteRange);
    }

    public List<string> DeleteByLease(long lease)
    {
        _deleteByLease.Parameters[0].Value = lease;
        return Keys(_deleteByLease);
    }

    public void LogDelete(long revision, string key)
    {
        _logDelete.Parameters[0].Value = revision;
        _logDelete.Parameters[1].Value = key;
        _logDelete.ExecuteNonQuery();
    }

    public void SetMeta(string name, long value)
    {
        _setMeta.Parameters[0].Value = name;
        _setMeta.Parameters[1].Value = value;
        _setMeta.ExecuteNonQuery();
    }

    public void InsertLease(long id, TimeSpan ttl)
    {
        _insertLease.Parameters[0].Value = id;
        _insertLease.Parameters[1].Value = ttl.Ticks;
        _insertLease.ExecuteNonQuery();
    }

    public void DeleteLease(long id)
    {
        _deleteLease.Parameters[0].Value = id;
        _deleteLease.ExecuteNonQuery();
    }

    public void CompactThrough(long revision)
    {
        _compact.Parameters[0].Value = revision;
        _compact.ExecuteNonQuery();
    }

    public void Dispose()
    {
        foreach (var command in _all)
        {
            command.Dispose();
        }
    }

    private static List<string> Keys(SqliteCommand command)
    {
        // RETURNING rows are produced as the statement runs; read them all before the next statement.
        var keys = new List<string>();
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            keys.Add(reader.GetString(0));
        }

        return keys;
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
        _all.Add(command);
        return command;
    }
}
