namespace Portolan.Storage.Tests.Contract;

// Closing and reopening.
public abstract partial class StoreContractTests
{
    [Fact]
    public async Task Reopen_after_dispose_keeps_keys_revision_history_and_leases()
    {
        var first = await OpenAsync();
        var lease = await first.GrantLeaseAsync(Ttl);
        await PutAsync(first, "/re/a", "1");                                        // 1
        await PutAsync(first, "/re/a", "2");                                        // 2
        await PutPairAsync(first);                                                     // 3
        await DeleteAsync(first, "/re/gone");                                       // 4
        await PutAsync(first, "/re/leased", "l", lease);                            // 5
        await first.CompactAsync(2);
        var rangeBefore = await first.RangeAsync("");
        var historyBefore = Describe(await CollectThroughAsync(first, "", 3, 5));
        await first.DisposeAsync();

        var second = await OpenAsync();

        var rangeAfter = await second.RangeAsync("");
        Assert.Equal(5, rangeAfter.Revision);
        Assert.Equal(5, await second.GetRevisionAsync());
        Assert.Equal(
            rangeBefore.Kvs.Select(kv => (kv.Key, Text(kv), kv.CreateRevision, kv.ModRevision, kv.Version, kv.Lease)),
            rangeAfter.Kvs.Select(kv => (kv.Key, Text(kv), kv.CreateRevision, kv.ModRevision, kv.Version, kv.Lease)));
        Assert.Equal(historyBefore, Describe(await CollectThroughAsync(second, "", 3, 5)));
        await Assert.ThrowsAsync<StoreCompactedException>(() => CollectThroughAsync(second, "", 2, 5));

        // The lease survived too: it can be kept alive and revoking it still deletes its key.
        await second.KeepAliveAsync(lease);
        await second.RevokeLeaseAsync(lease);
        Assert.Null(await second.GetAsync("/re/leased"));
        Assert.Equal(6, await second.GetRevisionAsync());
        Assert.Equal(new TxnResult(true, 7), await PutAsync(second, "/re/next", "n"));
        Assert.NotEqual(lease, await second.GrantLeaseAsync(Ttl));

        static async Task PutPairAsync(IStore s) => await s.TxnAsync(Txn.Unconditional(
            TxnOp.Put("/re/b", Bytes("b")), TxnOp.Put("/re/gone", Bytes("g"))));
    }

    [Fact]
    public async Task Disposed_store_refuses_calls_and_dispose_is_idempotent()
    {
        var store = await OpenAsync();
        await PutAsync(store, "/k", "v");

        await store.DisposeAsync();
        await store.DisposeAsync();

        await Assert.ThrowsAsync<ObjectDisposedException>(async () => await PutAsync(store, "/k", "w"));
        await Assert.ThrowsAsync<ObjectDisposedException>(async () => await store.GetAsync("/k"));
        await Assert.ThrowsAsync<ObjectDisposedException>(async () => await store.RangeAsync("/"));
        await Assert.ThrowsAsync<ObjectDisposedException>(async () => await store.GrantLeaseAsync(Ttl));
    }

    [Fact]
    public async Task Dispose_finishes_writes_already_submitted()
    {
        var store = await OpenAsync();
        var pending = Enumerable.Range(0, 300).Select(i => store.TxnAsync(Txn.Unconditional(TxnOp.Put($"/q/{i}", Bytes("v")))).AsTask()).ToList();

        await store.DisposeAsync();

        Assert.All(await Within(Task.WhenAll(pending)), r => Assert.True(r.Succeeded));
        var reopened = await OpenAsync();
        Assert.Equal(300, (await reopened.RangeAsync("/q/")).Kvs.Count);
        Assert.Equal(300, await reopened.GetRevisionAsync());
    }
}
