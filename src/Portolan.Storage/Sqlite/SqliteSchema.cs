using Microsoft.Data.Sqlite;

namespace Portolan.Storage.Sqlite;

/// <summary>What the store keeps on disk besides the keys, loaded once when it opens.</summary>
internal sealed record PersistedState(long Revision, long CompactRevision, long NextLeaseId, IReadOnlyList<(long Id, long TtlTicks)> Leases);

/// <summary>
/// The on-disk layout and connection setup.
/// <list type="bullet">
/// <item><c>kv</c>: the current value of every key with etcd's bookkeeping (create/mod revision, version, lease).</item>
/// <item><c>changes</c>: one row per key per revision (the watch history), keyed (rev, key) so a revision's
/// events come back in key order; trimmed by compaction.</item>
/// <item><c>meta</c>: current revision, compaction revision, next lease id, schema version.</item>
/// <item><c>leases</c>: granted leases and their TTL. Deadlines are not stored: like etcd after a leader change,
/// a reopened store gives every lease a fresh full TTL, so owners get a chance to keep alive after a restart.</item>
/// </list>
/// Key columns are TEXT with the BINARY collation (memcmp of UTF-8 = code point order; see <see cref="KeyRules"/>).
/// </summary>
internal static class SqliteSchema
{
    private const long SchemaVersion = 1;

    private const string Ddl = """
        CREATE TABLE IF NOT EXISTS meta(
            name TEXT NOT NULL PRIMARY KEY,
            value INTEGER NOT NULL) WITHOUT ROWID;
        INSERT OR IGNORE INTO meta(name, value) VALUES
            ('schema', 1), ('revision', 0), ('compact_revision', 0), ('next_lease_id', 1);
        CREATE TABLE IF NOT EXISTS kv(
            key TEXT NOT NULL COLLATE BINARY PRIMARY KEY,
            value BLOB NOT NULL,
            create_rev INTEGER NOT NULL,
            mod_rev INTEGER NOT NULL,
            version INTEGER NOT NULL,
            lease INTEGER NOT NULL) WITHOUT ROWID;
        CREATE INDEX IF NOT EXISTS kv_by_lease ON kv(lease) WHERE lease <> 0;
        CREATE TABLE IF NOT EXISTS changes(
            rev INTEGER NOT NULL,
            key TEXT NOT NULL COLLATE BINARY,
            deleted INTEGER NOT NULL,
            value BLOB,
            create_rev INTEGER NOT NULL,
            version INTEGER NOT NULL,
            lease INTEGER NOT NULL,
            PRIMARY KEY(rev, key)) WITHOUT ROWID;
        CREATE TABLE IF NOT EXISTS leases(
            id INTEGER NOT NULL PRIMARY KEY,
            ttl_ticks INTEGER NOT NULL);
        """;

    public static string ConnectionString(string path, SqliteOpenMode mode) => new SqliteConnectionStringBuilder
    {
        DataSource = path,
        Mode = mode,
        Cache = SqliteCacheMode.Private,
        // The store keeps its own long-lived connections; the provider's pool would only hide when they close.
        Pooling = false,
        DefaultTimeout = 30,
    }.ToString();

    /// <summary>Opens the single writing connection, switching the file to WAL and creating the schema.</summary>
    public static SqliteConnection OpenWriter(string path)
    {
        var connection = new SqliteConnection(ConnectionString(path, SqliteOpenMode.ReadWriteCreate));
        try
        {
            connection.Open();
            var mode = Scalar(connection, "PRAGMA journal_mode=WAL;");
            if (!string.Equals(mode as string, "wal", StringComparison.OrdinalIgnoreCase))
            {
                throw new StoreUnavailableException($"SQLite refused WAL mode for '{path}' (journal_mode={mode}).");
            }

            // Durability: in WAL mode a commit appends to the -wal file. synchronous=NORMAL would already survive
            // kill -9 (the bytes are in the OS page cache once COMMIT returns) but can lose the last commits on power
            // loss or a kernel crash. FULL fsyncs the WAL on every commit, so an acknowledged write survives those
            // too; group commit pays that one fsync per batch rather than per transaction, which keeps it cheap.
            Execute(connection, "PRAGMA synchronous=FULL;");
            // Let the WAL file shrink back after checkpoints instead of staying at its high-water mark.
            Execute(connection, "PRAGMA journal_size_limit=67108864;");
            Execute(connection, "PRAGMA foreign_keys=OFF;");
            Execute(connection, "BEGIN IMMEDIATE;" + Ddl + "COMMIT;");
            var schema = (long)(Scalar(connection, "SELECT value FROM meta WHERE name = 'schema';") ?? 0L);
            if (schema > SchemaVersion)
            {
                throw new StoreUnavailableException($"'{path}' has store schema {schema}; this build knows {SchemaVersion}.");
            }

            return connection;
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    /// <summary>Opens a connection for readers; query_only guards against a stray write bypassing the writer.</summary>
    public static SqliteConnection OpenReader(string connectionString)
    {
        var connection = new SqliteConnection(connectionString);
        try
        {
            connection.Open();
            Execute(connection, "PRAGMA query_only=ON;");
            return connection;
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    public static PersistedState Load(SqliteConnection connection)
    {
        long Meta(string name) => (long)(Scalar(connection, $"SELECT value FROM meta WHERE name = '{name}';") ?? 0L);

        var leases = new List<(long, long)>();
        using (var command = connection.CreateCommand())
        {
            command.CommandText = "SELECT id, ttl_ticks FROM leases;";
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                leases.Add((reader.GetInt64(0), reader.GetInt64(1)));
            }
        }

        return new PersistedState(Meta("revision"), Meta("compact_revision"), Meta("next_lease_id"), leases);
    }

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private static object? Scalar(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar();
    }
}
