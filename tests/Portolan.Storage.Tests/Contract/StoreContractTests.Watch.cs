namespace Portolan.Storage.Tests.Contract;

// Watches: history replay, live feed, the seam between them, prefixes, compaction.
public abstract partial class StoreContractTests
{
    [Fact]
    public async Task Watch_from_zero_replays_all_history_one_batch_per_revision_in_key_order()
    {
        var store = await OpenAsync();
        await PutAsync(store, "/w/x", "1");
        await store.TxnAsync(Txn.Unconditional(TxnOp.Put("/w/b", Bytes("b")), TxnOp.Put("/w/a", Bytes("a")), TxnOp.Put("/w/x", Bytes("2"))));
        await DeleteAsync(store, "/w/x");

        var batches = await CollectThroughAsync(store, "/w/", 0, 3);

        Assert.Equal("1:[+/w/x]; 2:[+/w/a,+/w/b,+/w/x]; 3:[-/w/x]", Describe(batches));
        var put = batches[1].Events[2];
        Assert.Equal((WatchEventType.Put, "2", 1L, 2L, 2L), (put.Type, Text(put.Kv), put.Kv.CreateRevision, put.Kv.ModRevision, put.Kv.Version));
        var deleted = batches[2].Events[0];
        Assert.Equal((WatchEventType.Delete, 0, 0L, 3L, 0L), (deleted.Type, deleted.Kv.Value.Length, deleted.Kv.CreateRevision, deleted.Kv.ModRevision, deleted.Kv.Version));
    }

    [Fact]
    public async Task Watch_from_a_past_revision_starts_exactly_there()
    {
        var store = await OpenAsync();
        for (var i = 1; i <= 5; i++)
        {
            await PutAsync(store, $"/w/{i}", $"{i}");
        }

        var batches = await CollectThroughAsync(store, "/w/", 3, 5);

        Assert.Equal([3L, 4L, 5L], batches.Select(b => b.Revision));
    }

    [Fact]
    public async Task Watch_from_the_current_revision_includes_it_and_then_goes_live()
    {
        var store = await OpenAsync();
        await PutAsync(store, "/w/1", "1");
        await PutAsync(store, "/w/2", "2");
        var current = await store.GetRevisionAsync();

        var watching = CollectThroughAsync(store, "/w/", current, current + 2);
        await PutAsync(store, "/w/3", "3");
        await PutAsync(store, "/w/4", "4");

        Assert.Equal("2:[+/w/2]; 3:[+/w/3]; 4:[+/w/4]", Describe(await watching));
    }

    [Fact]
    public async Task Watch_from_the_next_revision_sees_only_new_changes()
    {
        var store = await OpenAsync();
        await PutAsync(store, "/w/old", "1");

        var watching = CollectThroughAsync(store, "/w/", await store.GetRevisionAsync() + 1, 2);
        await PutAsync(store, "/w/new", "2");

        Assert.Equal("2:[+/w/new]", Describe(await watching));
    }

    [Fact]
    public async Task Watch_from_a_future_revision_waits_for_it()
    {
        var store = await OpenAsync();

        var watching = CollectThroughAsync(store, "/w/", 3, 3);
        for (var i = 1; i <= 4; i++)
        {
            await PutAsync(store, $"/w/{i}", $"{i}");
        }

        Assert.Equal("3:[+/w/3]", Describe(await watching));
    }

    [Fact]
    public async Task Watch_of_a_prefix_ignores_every_other_key()
    {
        var store = await OpenAsync();
        await PutAsync(store, "/ab", "sibling");                   // 1
        await PutAsync(store, "/a/1", "mine");                     // 2
        await PutAsync(store, "/b/1", "other");                    // 3
        await store.TxnAsync(Txn.Unconditional(TxnOp.Put("/a/2", Bytes("mine")), TxnOp.Put("/b/2", Bytes("other")))); // 4
        await PutAsync(store, "/a", "parent");                     // 5
        await store.TxnAsync(Txn.Unconditional(TxnOp.DeletePrefix("/")));                  // 6
        await PutAsync(store, "/a/end", "mine");                   // 7

        var batches = await CollectThroughAsync(store, "/a/", 0, 7);

        Assert.Equal("2:[+/a/1]; 4:[+/a/2]; 6:[-/a/1,-/a/2]; 7:[+/a/end]", Describe(batches));
    }

    [Fact]
    public async Task Watch_across_the_replay_to_live_seam_misses_nothing_and_repeats_nothing()
    {
        var store = await OpenAsync();
        for (var i = 0; i < 40; i++)
        {
            await PutAsync(store, $"/seam/pre/{i}", "x");
        }

        const int Writers = 8, PerWriter = 40;
        var halfway = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var acknowledged = 0;
        var writers = Enumerable.Range(0, Writers).Select(w => Task.Run(async () =>
        {
            for (var i = 0; i < PerWriter; i++)
            {
                await store.TxnAsync(Txn.Unconditional(TxnOp.Put($"/seam/w{w}/{i}/b", Bytes("b")), TxnOp.Put($"/seam/w{w}/{i}/a", Bytes("a"))));
                if (Interlocked.Increment(ref acknowledged) == Writers * PerWriter / 2)
                {
                    halfway.TrySetResult();
                }
            }
        })).ToArray();

        // Start watching in the middle of the write storm, from a point in the past: replay then live.
        await Within(halfway.Task);
        var watching = CollectAsync(store, "/seam/", 20, b => b[^1].Events.Any(e => e.Kv.Key == "/seam/done"));
        await Within(Task.WhenAll(writers));
        var done = await PutAsync(store, "/seam/done", "!");
        var batches = await watching;

        Assert.Equal(Enumerable.Range(20, (int)done.Revision - 19).Select(r => (long)r), batches.Select(b => b.Revision));
        var keys = batches.SelectMany(b => b.Events).Select(e => e.Kv.Key).ToList();
        Assert.Equal(keys.Count, keys.Distinct().Count());
        Assert.Equal(21 + (Writers * PerWriter * 2) + 1, keys.Count); // pre 19..39, both keys of every txn, done
        Assert.All(batches.Where(b => b.Events.Count == 2), b =>
        {
            Assert.EndsWith("/a", b.Events[0].Kv.Key);
            Assert.EndsWith("/b", b.Events[1].Kv.Key);
        });
    }

    [Fact]
    public async Task Watch_history_below_the_compaction_is_gone()
    {
        var store = await OpenAsync();
        for (var i = 1; i <= 10; i++)
        {
            await PutAsync(store, $"/h/{i % 3}", $"{i}");
        }

        await store.CompactAsync(5);

        foreach (var from in new long[] { 0, 1, 3, 5 })
        {
            var error = await Assert.ThrowsAsync<StoreCompactedException>(() => CollectThroughAsync(store, "/h/", from, 10));
            Assert.Equal(5, error.CompactRevision);
        }

        Assert.Equal([6L, 7L, 8L, 9L, 10L], (await CollectThroughAsync(store, "/h/", 6, 10)).Select(b => b.Revision));
        Assert.Equal(["/h/0", "/h/1", "/h/2"], await KeysAsync(store, "/h/")); // current keys are kept
        Assert.Equal(10, await store.GetRevisionAsync());
    }

    [Fact]
    public async Task Compaction_is_idempotent_and_cannot_reach_the_future()
    {
        var store = await OpenAsync();
        await PutAsync(store, "/h/1", "1");
        await PutAsync(store, "/h/2", "2");

        await store.CompactAsync(2);
        await store.CompactAsync(1);
        await store.CompactAsync(2);
        await Assert.ThrowsAnyAsync<ArgumentException>(async () => await store.CompactAsync(3));

        Assert.Equal(2, await store.GetRevisionAsync());
        var watching = CollectThroughAsync(store, "", 3, 3);
        await PutAsync(store, "/h/3", "3");
        Assert.Equal("3:[+/h/3]", Describe(await watching));
    }

    [Fact]
    public async Task Watch_cancellation_ends_it_with_operation_canceled()
    {
        var store = await OpenAsync();
        using var cancel = new CancellationTokenSource();
        await using var watch = store.WatchAsync("/w/", 1, cancel.Token).GetAsyncEnumerator();

        var next = watch.MoveNextAsync();
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await next.AsTask().WaitAsync(Timeout));
    }

    [Fact]
    public async Task Watch_ends_when_the_store_is_disposed()
    {
        var store = await OpenAsync();
        await PutAsync(store, "/w/1", "1");
        await using var watch = store.WatchAsync("/w/", 1).GetAsyncEnumerator();
        Assert.True(await watch.MoveNextAsync().AsTask().WaitAsync(Timeout));

        var next = watch.MoveNextAsync();
        await store.DisposeAsync();

        Assert.False(await next.AsTask().WaitAsync(Timeout));
    }
}
