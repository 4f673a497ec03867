namespace Portolan.Storage.Tests.Contract;

// Leases: expiry on the clock, keep-alive, revoke, unknown leases.
public abstract partial class StoreContractTests
{
    private static readonly TimeSpan Ttl = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Expired_lease_deletes_its_keys_in_one_revision()
    {
        var store = await OpenAsync();
        var lease = await store.GrantLeaseAsync(Ttl);
        await store.TxnAsync(Txn.Unconditional(
            TxnOp.Put("/l/a", Bytes("a"), lease), TxnOp.Put("/l/b", Bytes("b"), lease), TxnOp.Put("/l/keep", Bytes("k"))));
        Assert.Equal(lease, (await store.GetAsync("/l/a"))!.Lease);

        await AdvanceClock(Ttl - TimeSpan.FromSeconds(1));
        await PutAsync(store, "/l/barrier", "x"); // any expiry due by now would have been applied before this write
        Assert.NotNull(await store.GetAsync("/l/a"));

        var watching = CollectAsync(store, "/l/", 3, b => b[^1].Events.Any(e => e.Type == WatchEventType.Delete));
        await AdvanceClock(TimeSpan.FromSeconds(2));
        var expiry = (await watching)[^1];

        Assert.Equal("3:[-/l/a,-/l/b]", Describe([expiry]));
        Assert.Null(await store.GetAsync("/l/a"));
        Assert.Null(await store.GetAsync("/l/b"));
        Assert.NotNull(await store.GetAsync("/l/keep"));
        Assert.Equal(3, await store.GetRevisionAsync());
        await Assert.ThrowsAsync<LeaseNotFoundException>(async () => await store.KeepAliveAsync(lease));
    }

    [Fact]
    public async Task Keep_alive_restarts_the_full_ttl()
    {
        var store = await OpenAsync();
        var lease = await store.GrantLeaseAsync(Ttl);
        await PutAsync(store, "/l/k", "v", lease);

        await AdvanceClock(TimeSpan.FromSeconds(6));
        await store.KeepAliveAsync(lease);
        await AdvanceClock(TimeSpan.FromSeconds(6)); // 12 s after grant, 6 s after keep-alive
        await PutAsync(store, "/l/barrier", "x");
        Assert.NotNull(await store.GetAsync("/l/k"));

        var watching = CollectAsync(store, "/l/", 3, b => b[^1].Events.Any(e => e.Type == WatchEventType.Delete));
        await AdvanceClock(TimeSpan.FromSeconds(5)); // 11 s after keep-alive
        Assert.Equal("3:[-/l/k]", Describe([(await watching)[^1]]));
    }

    [Fact]
    public async Task Revoke_deletes_the_keys_before_returning_and_unknown_revoke_does_nothing()
    {
        var store = await OpenAsync();
        var lease = await store.GrantLeaseAsync(Ttl);
        await store.TxnAsync(Txn.Unconditional(TxnOp.Put("/l/a", Bytes("a"), lease), TxnOp.Put("/l/b", Bytes("b"), lease)));

        await store.RevokeLeaseAsync(lease);

        Assert.Empty(await KeysAsync(store, "/l/"));
        Assert.Equal(2, await store.GetRevisionAsync());
        Assert.Equal("2:[-/l/a,-/l/b]", Describe(await CollectThroughAsync(store, "/l/", 2, 2)));

        await store.RevokeLeaseAsync(lease);
        await store.RevokeLeaseAsync(987654321);
        Assert.Equal(2, await store.GetRevisionAsync());
        await Assert.ThrowsAsync<LeaseNotFoundException>(async () => await PutAsync(store, "/l/c", "c", lease));
        await Assert.ThrowsAsync<LeaseNotFoundException>(async () => await store.KeepAliveAsync(lease));
    }

    [Fact]
    public async Task Revoking_a_lease_without_keys_creates_no_revision()
    {
        var store = await OpenAsync();
        var lease = await store.GrantLeaseAsync(Ttl);

        await store.RevokeLeaseAsync(lease);

        Assert.Equal(0, await store.GetRevisionAsync());
    }

    [Fact]
    public async Task Put_with_an_unknown_lease_fails_that_transaction_only()
    {
        var store = await OpenAsync();

        var good = Enumerable.Range(0, 20).Select(i => store.TxnAsync(Txn.Unconditional(TxnOp.Put($"/u/{i}", Bytes("v")))).AsTask()).ToList();
        var bad = store.TxnAsync(Txn.Unconditional(TxnOp.Put("/u/bad-first", Bytes("v")), TxnOp.Put("/u/bad", Bytes("v"), 424242))).AsTask();

        var error = await Assert.ThrowsAsync<LeaseNotFoundException>(() => Within(bad));
        Assert.Equal(424242, error.LeaseId);
        Assert.All(await Within(Task.WhenAll(good)), r => Assert.True(r.Succeeded));
        Assert.Null(await store.GetAsync("/u/bad-first"));
        Assert.Equal(20, (await store.RangeAsync("/u/")).Kvs.Count);
        Assert.Equal(20, await store.GetRevisionAsync());
    }

    [Fact]
    public async Task Keep_alive_of_an_unknown_lease_fails()
    {
        var store = await OpenAsync();

        await Assert.ThrowsAsync<LeaseNotFoundException>(async () => await store.KeepAliveAsync(31337));
    }

    [Fact]
    public async Task Lease_ids_are_distinct_and_never_zero()
    {
        var store = await OpenAsync();

        var ids = await Within(Task.WhenAll(Enumerable.Range(0, 20).Select(_ => store.GrantLeaseAsync(Ttl).AsTask())));

        Assert.DoesNotContain(0, ids);
        Assert.Equal(ids.Length, ids.Distinct().Count());
    }

    [Fact]
    public async Task A_put_without_lease_detaches_the_key_from_its_lease()
    {
        var store = await OpenAsync();
        var lease = await store.GrantLeaseAsync(Ttl);
        await PutAsync(store, "/l/k", "leased", lease);
        await PutAsync(store, "/l/k", "free");

        await store.RevokeLeaseAsync(lease);

        AssertKv(await store.GetAsync("/l/k"), "/l/k", "free", create: 1, mod: 2, version: 2, lease: 0);
        Assert.Equal(2, await store.GetRevisionAsync());
    }
}
