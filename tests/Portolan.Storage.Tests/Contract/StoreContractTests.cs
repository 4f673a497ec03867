using System.Text;
using Microsoft.Extensions.Time.Testing;

namespace Portolan.Storage.Tests.Contract;

/// <summary>
/// The behaviour every <see cref="IStore"/> must have, written once and run against each implementation by
/// deriving from this class (see <c>SqliteStoreContractTests</c>). Each test gets a fresh instance, hence fresh
/// storage; <see cref="OpenStoreAsync"/> must reopen that same storage when called again after a dispose.
/// Tests wait on conditions (watch events, task completion) with a generous timeout and never on time passing;
/// lease expiry is driven by <see cref="AdvanceClock"/>.
/// </summary>
public abstract partial class StoreContractTests : IAsyncLifetime
{
    protected static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private readonly List<IStore> _opened = [];

    /// <summary>The clock handed to the store for lease deadlines. Starts at an arbitrary fixed instant.</summary>
    protected FakeTimeProvider Clock { get; } = new(new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero));

    /// <summary>Opens the store over this test's storage (the same storage on every call within one test).</summary>
    protected abstract Task<IStore> OpenStoreAsync();

    /// <summary>Moves lease time forward. An implementation whose leases run on a server's clock overrides this.</summary>
    protected virtual Task AdvanceClock(TimeSpan by)
    {
        Clock.Advance(by);
        return Task.CompletedTask;
    }

    /// <summary>Releases the test's storage after every store it opened was disposed.</summary>
    protected virtual Task CleanupAsync() => Task.CompletedTask;

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var store in _opened)
        {
            await store.DisposeAsync();
        }

        await CleanupAsync();
    }

    protected async Task<IStore> OpenAsync()
    {
        var store = await OpenStoreAsync();
        _opened.Add(store);
        return store;
    }

    protected static byte[] Bytes(string text) => Encoding.UTF8.GetBytes(text);

    protected static string Text(KeyValue kv) => Encoding.UTF8.GetString(kv.Value.Span);

    protected static async Task<TxnResult> PutAsync(IStore store, string key, string value, long lease = 0) =>
        await store.TxnAsync(Txn.Unconditional(TxnOp.Put(key, Bytes(value), lease)));

    protected static async Task<TxnResult> DeleteAsync(IStore store, string key) =>
        await store.TxnAsync(Txn.Unconditional(TxnOp.Delete(key)));

    protected static async Task<List<string>> KeysAsync(IStore store, string prefix) =>
        (await store.RangeAsync(prefix)).Kvs.Select(kv => kv.Key).ToList();

    /// <summary>Asserts every field of a key (records compare values by reference, so fields are checked one by one).</summary>
    protected static void AssertKv(KeyValue? kv, string key, string value, long create, long mod, long version, long lease = 0)
    {
        Assert.NotNull(kv);
        Assert.Equal(
            (key, value, create, mod, version, lease),
            (kv.Key, Text(kv), kv.CreateRevision, kv.ModRevision, kv.Version, kv.Lease));
    }

    /// <summary>Watches until <paramref name="done"/> holds for what was received; fails the test on timeout.</summary>
    protected static async Task<List<WatchBatch>> CollectAsync(
        IStore store, string prefix, long fromRevision, Func<IReadOnlyList<WatchBatch>, bool> done)
    {
        using var timeout = new CancellationTokenSource(Timeout);
        var batches = new List<WatchBatch>();
        try
        {
            await foreach (var batch in store.WatchAsync(prefix, fromRevision, timeout.Token))
            {
                if (batch.Events.Count == 0)
                {
                    // A progress notification (etcd sends them when other prefixes change): it must never go back.
                    Assert.True(batches.Count == 0 || batch.Revision >= batches[^1].Revision, $"progress to {batch.Revision} after {Describe(batches)}");
                    continue;
                }

                batches.Add(batch);
                if (done(batches))
                {
                    return batches;
                }
            }
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            Assert.Fail($"Watch of '{prefix}' from {fromRevision} timed out; received: {Describe(batches)}");
        }

        Assert.Fail($"Watch of '{prefix}' from {fromRevision} ended early; received: {Describe(batches)}");
        return batches;
    }

    /// <summary>Watches until a batch at or after <paramref name="revision"/> arrives.</summary>
    protected static Task<List<WatchBatch>> CollectThroughAsync(IStore store, string prefix, long fromRevision, long revision) =>
        CollectAsync(store, prefix, fromRevision, b => b[^1].Revision >= revision);

    protected static string Describe(IEnumerable<WatchBatch> batches) => string.Join("; ", batches.Select(b =>
        $"{b.Revision}:[{string.Join(",", b.Events.Select(e => $"{(e.Type == WatchEventType.Put ? "+" : "-")}{e.Kv.Key}"))}]"));

    /// <summary>A task that must finish within the timeout (a hang fails the test instead of the run).</summary>
    protected static async Task<T> Within<T>(Task<T> task) => await task.WaitAsync(Timeout);

    protected static async Task Within(Task task) => await task.WaitAsync(Timeout);
}
