namespace Portolan.Storage.Tests.Contract;

// Keys, values, revisions and range reads.
public abstract partial class StoreContractTests
{
    [Fact]
    public async Task Empty_store_is_at_revision_zero_and_has_no_keys()
    {
        var store = await OpenAsync();

        Assert.Equal(0, await store.GetRevisionAsync());
        Assert.Null(await store.GetAsync("/nothing"));
        var all = await store.RangeAsync("");
        Assert.Empty(all.Kvs);
        Assert.Equal(0, all.Revision);
        Assert.False(all.More);
    }

    [Fact]
    public async Task Revision_grows_by_exactly_one_per_effective_transaction()
    {
        var store = await OpenAsync();

        Assert.Equal(new TxnResult(true, 1), await PutAsync(store, "/r/a", "1"));
        Assert.Equal(new TxnResult(true, 2), await PutAsync(store, "/r/a", "1")); // same value is still a write
        Assert.Equal(new TxnResult(true, 3), await store.TxnAsync(Txn.Unconditional(
            TxnOp.Put("/r/b", Bytes("x")), TxnOp.Put("/r/c", Bytes("y")), TxnOp.Delete("/r/a"))));

        // No effective write: succeeded, no new revision.
        Assert.Equal(new TxnResult(true, 3), await DeleteAsync(store, "/r/absent"));
        Assert.Equal(new TxnResult(true, 3), await store.TxnAsync(Txn.Unconditional(TxnOp.DeletePrefix("/r/none/"))));
        Assert.Equal(new TxnResult(true, 3), await store.TxnAsync(new Txn([Compare.Exists("/r/b")], [])));
        // Failed compare: nothing written, reports the revision it was evaluated at.
        Assert.Equal(new TxnResult(false, 3), await store.TxnAsync(new Txn([Compare.Absent("/r/b")], [TxnOp.Put("/r/z", Bytes("z"))])));
        Assert.Equal(3, await store.GetRevisionAsync());

        Assert.Equal(new TxnResult(true, 4), await store.TxnAsync(Txn.Unconditional(TxnOp.DeletePrefix("/r/"))));
        Assert.Equal(4, await store.GetRevisionAsync());
        Assert.Empty((await store.RangeAsync("/r/")).Kvs);
    }

    [Fact]
    public async Task Put_then_get_round_trips_any_bytes()
    {
        var store = await OpenAsync();
        byte[] binary = [0, 1, 2, 127, 128, 254, 255, 0];

        await store.TxnAsync(Txn.Unconditional(TxnOp.Put("/v/binary", binary), TxnOp.Put("/v/empty", ReadOnlyMemory<byte>.Empty)));

        Assert.Equal(binary, (await store.GetAsync("/v/binary"))!.Value.ToArray());
        var empty = await store.GetAsync("/v/empty");
        Assert.NotNull(empty);
        Assert.Equal(0, empty.Value.Length);
        Assert.Null(await store.GetAsync("/v/missing"));
    }

    [Fact]
    public async Task Caller_reusing_its_buffer_does_not_change_the_stored_value()
    {
        var store = await OpenAsync();
        var buffer = Bytes("first");

        await store.TxnAsync(Txn.Unconditional(TxnOp.Put("/v/k", buffer)));
        buffer[0] = (byte)'X';

        Assert.Equal("first", Text((await store.GetAsync("/v/k"))!));
    }

    [Fact]
    public async Task Bookkeeping_follows_put_put_delete_put()
    {
        var store = await OpenAsync();
        await PutAsync(store, "/other", "shift revisions so create != 1");

        await PutAsync(store, "/b/k", "v1");
        AssertKv(await store.GetAsync("/b/k"), "/b/k", "v1", create: 2, mod: 2, version: 1);

        await PutAsync(store, "/b/k", "v2");
        AssertKv(await store.GetAsync("/b/k"), "/b/k", "v2", create: 2, mod: 3, version: 2);

        Assert.Equal(new TxnResult(true, 4), await DeleteAsync(store, "/b/k"));
        Assert.Null(await store.GetAsync("/b/k"));

        await PutAsync(store, "/b/k", "v3");
        AssertKv(await store.GetAsync("/b/k"), "/b/k", "v3", create: 5, mod: 5, version: 1);
    }

    [Fact]
    public async Task All_writes_of_one_transaction_share_its_revision()
    {
        var store = await OpenAsync();
        await PutAsync(store, "/t/old", "o");

        var result = await store.TxnAsync(Txn.Unconditional(
            TxnOp.Put("/t/z", Bytes("1")), TxnOp.Put("/t/a", Bytes("2")), TxnOp.Put("/t/old", Bytes("3"))));

        Assert.Equal(2, result.Revision);
        var range = await store.RangeAsync("/t/");
        Assert.All(range.Kvs, kv => Assert.Equal(2, kv.ModRevision));
        Assert.Equal(["/t/a", "/t/old", "/t/z"], range.Kvs.Select(kv => kv.Key));
        Assert.Equal(1, range.Kvs.Single(kv => kv.Key == "/t/old").CreateRevision);
    }

    [Fact]
    public async Task Range_isolates_prefixes_and_sorts_ordinally()
    {
        var store = await OpenAsync();
        string[] keys = ["/ab", "/a/x/y", "/a/2", "/a", "/b/1", "/a/10", "/ab/1", "/a/", "/a/1", "/a/B", "/a/a"];
        await store.TxnAsync(Txn.Unconditional(keys.Select(k => TxnOp.Put(k, Bytes(k))).ToArray()));

        Assert.Equal(["/a/", "/a/1", "/a/10", "/a/2", "/a/B", "/a/a", "/a/x/y"], await KeysAsync(store, "/a/"));
        Assert.Equal(["/ab", "/ab/1"], await KeysAsync(store, "/ab"));
        Assert.Equal(["/a/x/y"], await KeysAsync(store, "/a/x/"));
        Assert.Empty(await KeysAsync(store, "/c/"));
        Assert.Equal(keys.Order(StringComparer.Ordinal), await KeysAsync(store, ""));
        Assert.All((await store.RangeAsync("/a/")).Kvs, kv => Assert.Equal(kv.Key, Text(kv)));
    }

    [Fact]
    public async Task Range_pages_with_limit_and_start_after()
    {
        var store = await OpenAsync();
        var keys = Enumerable.Range(0, 25).Select(i => $"/p/{i:D2}").ToArray();
        await store.TxnAsync(Txn.Unconditional(keys.Select(k => TxnOp.Put(k, Bytes(k))).Append(TxnOp.Put("/q", Bytes("q"))).ToArray()));

        var seen = new List<string>();
        string? after = null;
        var pages = 0;
        while (true)
        {
            var page = await store.RangeAsync("/p/", new RangeOptions(Limit: 10, StartAfter: after));
            Assert.Equal(1, page.Revision);
            Assert.True(page.Kvs.Count <= 10);
            seen.AddRange(page.Kvs.Select(kv => kv.Key));
            pages++;
            if (!page.More)
            {
                break;
            }

            after = page.Kvs[^1].Key;
        }

        Assert.Equal(3, pages);
        Assert.Equal(keys, seen);

        var exact = await store.RangeAsync("/p/", new RangeOptions(Limit: 5, StartAfter: "/p/19"));
        Assert.Equal(["/p/20", "/p/21", "/p/22", "/p/23", "/p/24"], exact.Kvs.Select(kv => kv.Key));
        Assert.False(exact.More); // exactly the remaining count: nothing more

        Assert.Equal("/p/00", (await store.RangeAsync("/p/", new RangeOptions(1, StartAfter: "/o"))).Kvs.Single().Key);
        Assert.Equal("/p/13", (await store.RangeAsync("/p/", new RangeOptions(1, StartAfter: "/p/125"))).Kvs.Single().Key);
        Assert.Empty((await store.RangeAsync("/p/", new RangeOptions(0, StartAfter: "/p/24"))).Kvs);
        Assert.Empty((await store.RangeAsync("/p/", new RangeOptions(0, StartAfter: "/q"))).Kvs);
        Assert.Equal(25, (await store.RangeAsync("/p/", new RangeOptions(Limit: 0))).Kvs.Count);
    }

    [Fact]
    public async Task Range_reports_the_store_revision_even_when_prefix_did_not_change()
    {
        var store = await OpenAsync();
        await PutAsync(store, "/x/1", "1");
        await PutAsync(store, "/y/1", "1");
        await PutAsync(store, "/y/2", "1");

        var range = await store.RangeAsync("/x/");

        Assert.Equal(3, range.Revision);
        Assert.Equal(1, range.Kvs.Single().ModRevision);
    }

    [Fact]
    public async Task Range_is_one_consistent_snapshot_while_writers_run()
    {
        var store = await OpenAsync();
        // One token moves between two keys atomically; any consistent read sees it in exactly one place.
        await PutAsync(store, "/snap/left", "token");
        var mover = Task.Run(async () =>
        {
            for (var i = 0; i < 300; i++)
            {
                var (from, to) = i % 2 == 0 ? ("/snap/left", "/snap/right") : ("/snap/right", "/snap/left");
                var moved = await store.TxnAsync(new Txn([Compare.Exists(from)], [TxnOp.Delete(from), TxnOp.Put(to, Bytes("token"))]));
                Assert.True(moved.Succeeded);
            }
        });

        var lastRevision = 0L;
        while (!mover.IsCompleted)
        {
            var range = await store.RangeAsync("/snap/");
            Assert.Single(range.Kvs);
            Assert.True(range.Revision >= lastRevision, "revisions seen by reads never go back");
            Assert.Equal(range.Revision, range.Kvs[0].ModRevision);
            lastRevision = range.Revision;
        }

        await Within(mover);
        Assert.Equal(301, await store.GetRevisionAsync());
    }

    [Fact]
    public async Task Reads_see_every_acknowledged_write()
    {
        var store = await OpenAsync();
        for (var i = 1; i <= 50; i++)
        {
            var result = await PutAsync(store, "/ack/k", $"{i}");
            Assert.Equal($"{i}", Text((await store.GetAsync("/ack/k"))!));
            Assert.True(await store.GetRevisionAsync() >= result.Revision);
            Assert.True((await store.RangeAsync("/ack/")).Revision >= result.Revision);
        }
    }

    [Fact]
    public async Task Invalid_arguments_are_rejected_without_writing()
    {
        var store = await OpenAsync();

        await Assert.ThrowsAnyAsync<ArgumentException>(async () => await PutAsync(store, "", "v"));
        await Assert.ThrowsAnyAsync<ArgumentException>(async () => await store.GetAsync(""));
        await Assert.ThrowsAnyAsync<ArgumentException>(async () => await store.RangeAsync("/a/", new RangeOptions(Limit: -1)));
        await Assert.ThrowsAnyAsync<ArgumentException>(async () => await store.GrantLeaseAsync(TimeSpan.Zero));
        await Assert.ThrowsAnyAsync<ArgumentException>(async () => await store.CompactAsync(-1));
        Assert.ThrowsAny<ArgumentException>(() => store.WatchAsync("/a/", -1));
        Assert.Equal(0, await store.GetRevisionAsync());
    }
}
