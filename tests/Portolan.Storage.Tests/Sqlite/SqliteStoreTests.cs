using System.Text;
using Microsoft.Extensions.Time.Testing;
using Portolan.Storage.Sqlite;
using Portolan.Testing;

namespace Portolan.Storage.Tests.Sqlite;

/// <summary>Behaviour specific to the SQLite store: files, locking, watch overflow, key encoding, lease restarts.</summary>
public sealed class SqliteStoreTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private readonly TempDirectory _directory = new("portolan-sqlite");
    private readonly FakeTimeProvider _clock = new();

    private string DbPath => Path.Combine(_directory.Path, "store.db");

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task Open_creates_the_file_and_missing_parent_directories()
    {
        var path = Path.Combine(_directory.Path, "a", "b", "c", "portolan.db");

        await using var store = await SqliteStore.OpenAsync(path);
        await store.TxnAsync(Txn.Unconditional(TxnOp.Put("/k", Bytes("v"))));

        Assert.True(File.Exists(path));
        Assert.Equal(path, store.Path);
    }

    [Fact]
    public async Task A_second_store_on_the_same_file_is_refused_until_the_first_closes()
    {
        var first = await SqliteStore.OpenAsync(DbPath);

        await Assert.ThrowsAsync<StoreUnavailableException>(() => SqliteStore.OpenAsync(DbPath));

        await first.DisposeAsync();
        await using var second = await SqliteStore.OpenAsync(DbPath);
        Assert.Equal(0, await second.GetRevisionAsync());
    }

    [Fact]
    public async Task Keys_sqlite_cannot_store_faithfully_are_rejected()
    {
        await using var store = await SqliteStore.OpenAsync(DbPath);

        await Assert.ThrowsAnyAsync<ArgumentException>(async () => await store.TxnAsync(Txn.Unconditional(TxnOp.Put("/nul\0key", Bytes("v")))));
        await Assert.ThrowsAnyAsync<ArgumentException>(async () => await store.TxnAsync(Txn.Unconditional(TxnOp.Put("/lone\uD800", Bytes("v")))));
        await Assert.ThrowsAnyAsync<ArgumentException>(async () => await store.GetAsync("/lone\uDC00"));
        Assert.Equal(0, await store.GetRevisionAsync());
    }

    [Fact]
    public async Task Non_ascii_keys_sort_by_code_point_and_prefixes_stay_exact()
    {
        await using var store = await SqliteStore.OpenAsync(DbPath);
        string[] keys = ["/u/z", "/u/\u00E9", "/u/\u00E9x", "/u/\u00EA", "/u/\uE000", "/u/\uFFFD", "/u/\U0001F600", "/u/\U0001F600/1", "/u/\U0001F601"];
        await store.TxnAsync(Txn.Unconditional(keys.Select(k => TxnOp.Put(k, Bytes(k))).ToArray()));

        // UTF-8 byte order (what SQLite and etcd compare) is code point order: the emoji sorts last.
        Assert.Equal(keys, (await store.RangeAsync("/u/")).Kvs.Select(kv => kv.Key));
        Assert.Equal(["/u/\u00E9", "/u/\u00E9x"], (await store.RangeAsync("/u/\u00E9")).Kvs.Select(kv => kv.Key));
        Assert.Equal(["/u/\U0001F600", "/u/\U0001F600/1"], (await store.RangeAsync("/u/\U0001F600")).Kvs.Select(kv => kv.Key));

        await store.TxnAsync(Txn.Unconditional(TxnOp.DeletePrefix("/u/\U0001F600")));
        Assert.Equal(keys.Where(k => !k.StartsWith("/u/\U0001F600", StringComparison.Ordinal)), (await store.RangeAsync("/u/")).Kvs.Select(kv => kv.Key));
    }

    [Fact]
    public async Task A_watcher_that_overflows_its_buffer_catches_up_from_the_log_without_gaps()
    {
        // Tiny buffer and chunk: the watcher overflows at once, and each 5-key revision spans two replay chunks.
        var options = new SqliteStoreOptions { WatchBufferCapacity = 2, WatchReplayChunkSize = 3 };
        await using var store = await SqliteStore.OpenAsync(DbPath, options);
        await store.TxnAsync(Txn.Unconditional(TxnOp.Put("/o/first", Bytes("x"))));
        await using var watch = store.WatchAsync("/o/", 1).GetAsyncEnumerator();
        Assert.True(await watch.MoveNextAsync()); // now subscribed to the live feed and not reading

        for (var i = 0; i < 50; i++)
        {
            // Completes although the watcher reads nothing: a slow watcher never holds up the writer.
            await store.TxnAsync(Txn.Unconditional(Enumerable.Range(0, 5).Select(k => TxnOp.Put($"/o/{i:D2}/{4 - k}", Bytes("v"))).ToArray()))
                .AsTask().WaitAsync(Timeout);
        }

        var batches = new List<WatchBatch>();
        while (batches.Count < 50 && await watch.MoveNextAsync().AsTask().WaitAsync(Timeout))
        {
            batches.Add(watch.Current);
        }

        Assert.Equal(Enumerable.Range(2, 50).Select(r => (long)r), batches.Select(b => b.Revision));
        for (var i = 0; i < 50; i++)
        {
            Assert.Equal(Enumerable.Range(0, 5).Select(k => $"/o/{i:D2}/{k}"), batches[i].Events.Select(e => e.Kv.Key));
        }
    }

    [Fact]
    public async Task A_watcher_that_overflows_past_a_compaction_gets_store_compacted()
    {
        var options = new SqliteStoreOptions { WatchBufferCapacity = 2 };
        await using var store = await SqliteStore.OpenAsync(DbPath, options);
        await store.TxnAsync(Txn.Unconditional(TxnOp.Put("/o/first", Bytes("x"))));
        await using var watch = store.WatchAsync("/o/", 1).GetAsyncEnumerator();
        Assert.True(await watch.MoveNextAsync());
        for (var i = 0; i < 10; i++)
        {
            await store.TxnAsync(Txn.Unconditional(TxnOp.Put($"/o/{i}", Bytes("v"))));
        }

        await store.CompactAsync(8);

        Assert.True(await watch.MoveNextAsync()); // still buffered: 2
        Assert.True(await watch.MoveNextAsync()); // still buffered: 3
        var error = await Assert.ThrowsAsync<StoreCompactedException>(async () => await watch.MoveNextAsync());
        Assert.Equal((4L, 8L), (error.RequestedRevision, error.CompactRevision));
    }

    [Fact]
    public async Task A_reopened_store_gives_every_lease_a_fresh_ttl()
    {
        var ttl = TimeSpan.FromSeconds(10);
        long lease;
        await using (var first = await SqliteStore.OpenAsync(DbPath, time: _clock))
        {
            lease = await first.GrantLeaseAsync(ttl);
            await first.TxnAsync(Txn.Unconditional(TxnOp.Put("/l/k", Bytes("v"), lease)));
            _clock.Advance(TimeSpan.FromSeconds(9));
        }

        await using var second = await SqliteStore.OpenAsync(DbPath, time: _clock);
        _clock.Advance(TimeSpan.FromSeconds(9)); // 18 s after grant, 9 s after reopen
        await second.TxnAsync(Txn.Unconditional(TxnOp.Put("/l/barrier", Bytes("x"))));
        Assert.NotNull(await second.GetAsync("/l/k"));

        using var cancel = new CancellationTokenSource(Timeout);
        await using var watch = second.WatchAsync("/l/k", 3, cancel.Token).GetAsyncEnumerator();
        var next = watch.MoveNextAsync();
        _clock.Advance(TimeSpan.FromSeconds(2));
        Assert.True(await next);
        Assert.Equal(WatchEventType.Delete, watch.Current.Events.Single().Type);
        await Assert.ThrowsAsync<LeaseNotFoundException>(async () => await second.KeepAliveAsync(lease));
    }

    [Fact]
    public async Task A_lease_longer_than_any_timer_can_wait_still_works()
    {
        await using var store = await SqliteStore.OpenAsync(DbPath, time: _clock);

        var forever = await store.GrantLeaseAsync(TimeSpan.MaxValue);
        var decade = await store.GrantLeaseAsync(TimeSpan.FromDays(3650));
        await store.TxnAsync(Txn.Unconditional(TxnOp.Put("/l/forever", Bytes("v"), forever), TxnOp.Put("/l/decade", Bytes("v"), decade)));
        _clock.Advance(TimeSpan.FromDays(400));
        await store.KeepAliveAsync(forever);

        Assert.Equal(2, (await store.RangeAsync("/l/")).Kvs.Count);
        await store.RevokeLeaseAsync(decade);
        Assert.Equal(["/l/forever"], (await store.RangeAsync("/l/")).Kvs.Select(kv => kv.Key));
    }

    private static byte[] Bytes(string text) => Encoding.UTF8.GetBytes(text);
}
