namespace Portolan.Storage.Tests.Contract;

// Compare-and-swap transactions.
public abstract partial class StoreContractTests
{
    [Fact]
    public async Task Every_compare_target_and_operator_on_a_present_key()
    {
        var store = await OpenAsync();
        await PutAsync(store, "/c/other", "x");   // rev 1
        await PutAsync(store, "/c/k", "m");       // rev 2: create 2
        await PutAsync(store, "/c/k", "m");       // rev 3: mod 3, version 2

        (Compare Compare, bool Holds)[] cases =
        [
            (Num(CompareTarget.Version, CompareOp.Equal, 2), true),
            (Num(CompareTarget.Version, CompareOp.Equal, 1), false),
            (Num(CompareTarget.Version, CompareOp.NotEqual, 1), true),
            (Num(CompareTarget.Version, CompareOp.NotEqual, 2), false),
            (Num(CompareTarget.Version, CompareOp.Greater, 1), true),
            (Num(CompareTarget.Version, CompareOp.Greater, 2), false),
            (Num(CompareTarget.Version, CompareOp.Less, 3), true),
            (Num(CompareTarget.Version, CompareOp.Less, 2), false),
            (Num(CompareTarget.CreateRevision, CompareOp.Equal, 2), true),
            (Num(CompareTarget.CreateRevision, CompareOp.Equal, 3), false),
            (Num(CompareTarget.CreateRevision, CompareOp.NotEqual, 3), true),
            (Num(CompareTarget.CreateRevision, CompareOp.Greater, 1), true),
            (Num(CompareTarget.CreateRevision, CompareOp.Less, 2), false),
            (Num(CompareTarget.ModRevision, CompareOp.Equal, 3), true),
            (Num(CompareTarget.ModRevision, CompareOp.Equal, 2), false),
            (Num(CompareTarget.ModRevision, CompareOp.NotEqual, 3), false),
            (Num(CompareTarget.ModRevision, CompareOp.Greater, 2), true),
            (Num(CompareTarget.ModRevision, CompareOp.Less, 3), false),
            (Num(CompareTarget.ModRevision, CompareOp.Less, 4), true),
            (Val(CompareOp.Equal, "m"), true),
            (Val(CompareOp.Equal, "n"), false),
            (Val(CompareOp.Equal, ""), false),
            (Val(CompareOp.NotEqual, "n"), true),
            (Val(CompareOp.NotEqual, "m"), false),
            (Val(CompareOp.Greater, "l"), true),
            (Val(CompareOp.Greater, "m"), false),
            (Val(CompareOp.Greater, ""), true),
            (Val(CompareOp.Less, "n"), true),
            (Val(CompareOp.Less, "mm"), true), // a proper prefix sorts first
            (Val(CompareOp.Less, "m"), false),
            (Compare.Exists("/c/k"), true),
            (Compare.Absent("/c/k"), false),
            (Compare.ModRevisionIs("/c/k", 3), true),
            (Compare.CreateRevisionIs("/c/k", 2), true),
            (Compare.ValueIs("/c/k", Bytes("m")), true),
        ];

        await AssertCompares(store, cases);

        static Compare Num(CompareTarget target, CompareOp op, long n) => new("/c/k", target, op, n);
        static Compare Val(CompareOp op, string v) => new("/c/k", CompareTarget.Value, op, 0, Bytes(v));
    }

    [Fact]
    public async Task Every_compare_target_and_operator_on_an_absent_key()
    {
        var store = await OpenAsync();
        await PutAsync(store, "/c/present", "x");

        (Compare Compare, bool Holds)[] cases =
        [
            (Num(CompareTarget.Version, CompareOp.Equal, 0), true),
            (Num(CompareTarget.Version, CompareOp.NotEqual, 0), false),
            (Num(CompareTarget.Version, CompareOp.Greater, 0), false),
            (Num(CompareTarget.Version, CompareOp.Less, 1), true),
            (Num(CompareTarget.CreateRevision, CompareOp.Equal, 0), true),
            (Num(CompareTarget.CreateRevision, CompareOp.Greater, 0), false),
            (Num(CompareTarget.ModRevision, CompareOp.Equal, 0), true),
            (Num(CompareTarget.ModRevision, CompareOp.Less, 1), true),
            (Num(CompareTarget.ModRevision, CompareOp.NotEqual, 1), true),
            // A value compare on a missing key fails whatever the operator (etcd semantics).
            (Val(CompareOp.Equal, ""), false),
            (Val(CompareOp.NotEqual, "x"), false),
            (Val(CompareOp.Greater, ""), false),
            (Val(CompareOp.Less, "z"), false),
            (Compare.Absent("/c/none"), true),
            (Compare.Exists("/c/none"), false),
        ];

        await AssertCompares(store, cases);

        static Compare Num(CompareTarget target, CompareOp op, long n) => new("/c/none", target, op, n);
        static Compare Val(CompareOp op, string v) => new("/c/none", CompareTarget.Value, op, 0, Bytes(v));
    }

    [Fact]
    public async Task All_compares_must_hold()
    {
        var store = await OpenAsync();
        await PutAsync(store, "/c/a", "1");

        var mixed = await store.TxnAsync(new Txn([Compare.Exists("/c/a"), Compare.Exists("/c/b")], [TxnOp.Put("/c/w", Bytes("w"))]));
        var both = await store.TxnAsync(new Txn([Compare.Exists("/c/a"), Compare.Absent("/c/b")], [TxnOp.Put("/c/w", Bytes("w"))]));

        Assert.Equal(new TxnResult(false, 1), mixed);
        Assert.Equal(new TxnResult(true, 2), both);
    }

    [Fact]
    public async Task Failed_compare_writes_nothing_at_all()
    {
        var store = await OpenAsync();
        await store.TxnAsync(Txn.Unconditional(TxnOp.Put("/f/a", Bytes("a")), TxnOp.Put("/f/b", Bytes("b"))));
        var before = await store.RangeAsync("");

        var result = await store.TxnAsync(new Txn(
            [Compare.ValueIs("/f/a", Bytes("not a"))],
            [TxnOp.Put("/f/c", Bytes("c")), TxnOp.Delete("/f/a"), TxnOp.DeletePrefix("/f/b")]));

        Assert.Equal(new TxnResult(false, 1), result);
        var after = await store.RangeAsync("");
        Assert.Equal(before.Revision, after.Revision);
        Assert.Equal(before.Kvs.Select(kv => (kv.Key, Text(kv), kv.ModRevision)), after.Kvs.Select(kv => (kv.Key, Text(kv), kv.ModRevision)));
    }

    [Fact]
    public async Task Delete_prefix_removes_only_keys_under_the_prefix_in_one_revision()
    {
        var store = await OpenAsync();
        await store.TxnAsync(Txn.Unconditional(
            TxnOp.Put("/d/1", Bytes("1")), TxnOp.Put("/d/2/x", Bytes("2")), TxnOp.Put("/d", Bytes("3")), TxnOp.Put("/dd/1", Bytes("4"))));

        var result = await store.TxnAsync(Txn.Unconditional(TxnOp.DeletePrefix("/d/")));

        Assert.Equal(new TxnResult(true, 2), result);
        Assert.Equal(["/d", "/dd/1"], await KeysAsync(store, ""));
        var batches = await CollectThroughAsync(store, "", 2, 2);
        Assert.Equal(["/d/1", "/d/2/x"], batches.Single().Events.Select(e => e.Kv.Key));
        Assert.All(batches.Single().Events, e => Assert.Equal(WatchEventType.Delete, e.Type));
    }

    [Fact]
    public async Task Overlapping_deletes_in_one_transaction_delete_each_key_once()
    {
        var store = await OpenAsync();
        await store.TxnAsync(Txn.Unconditional(TxnOp.Put("/o/a", Bytes("a")), TxnOp.Put("/o/b", Bytes("b"))));

        var result = await store.TxnAsync(Txn.Unconditional(TxnOp.Delete("/o/a"), TxnOp.DeletePrefix("/o/"), TxnOp.Delete("/o/b")));

        Assert.Equal(new TxnResult(true, 2), result);
        var batch = (await CollectThroughAsync(store, "/o/", 2, 2)).Single();
        Assert.Equal(["/o/a", "/o/b"], batch.Events.Select(e => e.Kv.Key));
    }

    [Fact]
    public async Task A_transaction_may_not_write_the_same_key_twice()
    {
        var store = await OpenAsync();

        await Assert.ThrowsAnyAsync<ArgumentException>(async () =>
            await store.TxnAsync(Txn.Unconditional(TxnOp.Put("/k", Bytes("1")), TxnOp.Put("/k", Bytes("2")))));
        await Assert.ThrowsAnyAsync<ArgumentException>(async () =>
            await store.TxnAsync(Txn.Unconditional(TxnOp.Put("/k", Bytes("1")), TxnOp.Delete("/k"))));
        await Assert.ThrowsAnyAsync<ArgumentException>(async () =>
            await store.TxnAsync(Txn.Unconditional(TxnOp.DeletePrefix("/"), TxnOp.Put("/k", Bytes("1")))));

        Assert.Equal(0, await store.GetRevisionAsync());
    }

    [Fact]
    public async Task Concurrent_create_if_absent_has_exactly_one_winner()
    {
        var store = await OpenAsync();

        var attempts = await Within(Task.WhenAll(Enumerable.Range(0, 64).Select(i => store.TxnAsync(
            new Txn([Compare.Absent("/lock")], [TxnOp.Put("/lock", Bytes($"owner-{i}"))])).AsTask())));

        var winner = Assert.Single(attempts, a => a.Succeeded);
        Assert.Equal(1, winner.Revision);
        Assert.All(attempts.Where(a => !a.Succeeded), a => Assert.Equal(new TxnResult(false, 1), a));
        Assert.StartsWith("owner-", Text((await store.GetAsync("/lock"))!));
    }

    [Fact]
    public async Task Concurrent_compare_and_swap_increments_lose_no_update()
    {
        var store = await OpenAsync();
        await PutAsync(store, "/counter", "0");
        const int Workers = 16, Increments = 25;
        var conflicts = 0;

        await Within(Task.WhenAll(Enumerable.Range(0, Workers).Select(_ => Task.Run(async () =>
        {
            for (var done = 0; done < Increments;)
            {
                var current = (await store.GetAsync("/counter"))!;
                var next = int.Parse(Text(current)) + 1;
                var swap = await store.TxnAsync(new Txn(
                    [Compare.ModRevisionIs("/counter", current.ModRevision)],
                    [TxnOp.Put("/counter", Bytes($"{next}"))]));
                if (swap.Succeeded)
                {
                    done++;
                }
                else
                {
                    Interlocked.Increment(ref conflicts);
                }
            }
        }))));

        var final = (await store.GetAsync("/counter"))!;
        Assert.Equal($"{Workers * Increments}", Text(final));
        Assert.Equal(1 + (Workers * Increments), final.ModRevision); // one revision per successful swap, none for conflicts
        Assert.Equal(1 + (Workers * Increments), final.Version);
    }

    [Fact]
    public async Task Concurrent_transactions_get_distinct_contiguous_revisions()
    {
        var store = await OpenAsync();

        var results = await Within(Task.WhenAll(Enumerable.Range(0, 200).Select(i =>
            store.TxnAsync(Txn.Unconditional(TxnOp.Put($"/many/{i}", Bytes($"{i}")))).AsTask())));

        Assert.Equal(Enumerable.Range(1, 200).Select(r => (long)r), results.Select(r => r.Revision).Order());
        for (var i = 0; i < 200; i++)
        {
            Assert.Equal(results[i].Revision, (await store.GetAsync($"/many/{i}"))!.ModRevision);
        }
    }

    [Fact]
    public async Task A_transaction_cancelled_before_it_is_submitted_writes_nothing()
    {
        var store = await OpenAsync();
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
            await store.TxnAsync(Txn.Unconditional(TxnOp.Put("/k", Bytes("v"))), cancelled.Token));

        Assert.Equal(0, await store.GetRevisionAsync());
        Assert.Null(await store.GetAsync("/k"));
    }

    private static async Task AssertCompares(IStore store, (Compare Compare, bool Holds)[] cases)
    {
        var wrong = new List<string>();
        for (var i = 0; i < cases.Length; i++)
        {
            var (compare, holds) = cases[i];
            var before = await store.GetRevisionAsync();
            var marker = $"/marker/{i}";
            var result = await store.TxnAsync(new Txn([compare], [TxnOp.Put(marker, Bytes("m"))]));
            var written = await store.GetAsync(marker) is not null;
            var expectedRevision = holds ? before + 1 : before;
            if (result.Succeeded != holds || written != holds || result.Revision != expectedRevision)
            {
                wrong.Add($"{compare.Target} {compare.Op} {compare.Number}/'{System.Text.Encoding.UTF8.GetString(compare.Bytes.Span)}' on {compare.Key}: expected {holds}, got {result}");
            }
        }

        Assert.True(wrong.Count == 0, string.Join(Environment.NewLine, wrong));
    }
}
