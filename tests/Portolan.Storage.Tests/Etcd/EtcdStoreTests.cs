using System.Text;
using Portolan.Storage.Etcd;

namespace Portolan.Storage.Tests.Etcd;

/// <summary>
/// What only a cluster can show: a member dying under a watch or a writer, compaction while a watch is away,
/// and the namespace/origin bookkeeping. Every test that kills a member starts it again before it ends.
/// </summary>
[Collection(EtcdCollection.Name)]
public sealed class EtcdStoreTests(EtcdClusterFixture etcd) : IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private readonly List<IStore> _stores = [];

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var store in _stores) await store.DisposeAsync();
        for (var i = 0; i < etcd.Cluster.Count; i++)
        {
            if (!etcd.Cluster.IsRunning(i)) await etcd.Cluster.RestartAsync(i);
        }

        await etcd.RevokeAllLeasesAsync();
    }

    [Fact]
    public async Task Watch_resumes_on_another_member_without_gaps_or_repeats_when_its_member_dies()
    {
        var options = etcd.NewStoreOptions();
        var store = await OpenAsync(options);
        for (var i = 1; i <= 5; i++) await PutAsync(store, $"/w/{i}");
        await using var watch = store.WatchAsync("/w/", 1).GetAsyncEnumerator();
        var seen = new List<long>();
        while (seen.Count < 5) seen.Add(await NextAsync(watch));

        // Kill the member the store (and so its watch stream) is on; write through a store pinned elsewhere.
        await etcd.Cluster.KillAsync(MemberOf(store));
        var writer = await OpenAsync(options);
        for (var i = 6; i <= 10; i++) await PutAsync(writer, $"/w/{i}");
        while (seen.Count < 10) seen.Add(await NextAsync(watch));

        Assert.Equal(Enumerable.Range(1, 10).Select(r => (long)r), seen);
        // The watch went on past the seam too.
        await PutAsync(writer, "/w/11");
        Assert.Equal(11, await NextAsync(watch));
    }

    [Fact]
    public async Task Watch_that_resumes_after_a_compaction_passed_its_position_reports_the_compaction()
    {
        var options = etcd.NewStoreOptions();
        var store = await OpenAsync(options);
        for (var i = 1; i <= 5; i++) await PutAsync(store, $"/c/{i}");
        await using var watch = store.WatchAsync("/c/", 1).GetAsyncEnumerator();
        for (var i = 1; i <= 5; i++) Assert.Equal(i, await NextAsync(watch));

        await etcd.Cluster.KillAsync(MemberOf(store));
        var other = await OpenAsync(options);
        for (var i = 6; i <= 10; i++) await PutAsync(other, $"/c/{i}");
        await other.CompactAsync(8);

        var error = await Assert.ThrowsAsync<StoreCompactedException>(() => NextAsync(watch));
        Assert.Equal((6L, 8L), (error.RequestedRevision, error.CompactRevision));
        // What a relist does next: read everything, watch from the read's revision + 1.
        var range = await other.RangeAsync("/c/");
        Assert.Equal(10, range.Revision);
        Assert.Equal(10, range.Kvs.Count);
    }

    [Fact]
    public async Task Writes_and_leases_keep_working_when_the_leader_dies()
    {
        var store = await OpenAsync(etcd.NewStoreOptions());
        var lease = await store.GrantLeaseAsync(TimeSpan.FromSeconds(30));
        await PutAsync(store, "/l/1", lease);

        await etcd.Cluster.KillAsync(await etcd.Cluster.LeaderAsync());

        // Acknowledged writes only: one that failed in the election window must not have been acknowledged.
        var acknowledged = new List<TxnResult>();
        for (var i = 2; i <= 20; i++)
        {
            try
            {
                acknowledged.Add(await PutAsync(store, $"/l/{i}", lease));
            }
            catch (StoreUnavailableException)
            {
                // Ambiguous outcome during the election (etcd "leader changed"/"timed out"); the caller retries.
            }
        }

        Assert.NotEmpty(acknowledged);
        await store.KeepAliveAsync(lease);
        foreach (var result in acknowledged)
        {
            Assert.True(result.Succeeded);
        }

        var keys = (await store.RangeAsync("/l/")).Kvs;
        Assert.All(acknowledged, a => Assert.Contains(keys, kv => kv.ModRevision == a.Revision));
        await store.RevokeLeaseAsync(lease);
        Assert.Empty((await store.RangeAsync("/l/")).Kvs);
    }

    [Fact]
    public async Task A_watch_reports_progress_when_only_keys_outside_its_prefix_change()
    {
        var other = await OpenAsync(etcd.NewStoreOptions());   // another namespace: same etcd revision counter
        var store = await OpenAsync(etcd.NewStoreOptions());
        await PutAsync(store, "/mine/1");
        await using var watch = store.WatchAsync("/mine/", 1).GetAsyncEnumerator();
        Assert.Equal(1, await NextAsync(watch));

        await PutAsync(store, "/theirs/1");
        await PutAsync(other, "/x");
        var target = await store.GetRevisionAsync();

        // Only progress notifications can arrive, up to the store's revision, and never past what etcd has.
        while (true)
        {
            Assert.True(await watch.MoveNextAsync().AsTask().WaitAsync(Timeout));
            Assert.Empty(watch.Current.Events);
            if (watch.Current.Revision >= target) break;
        }

        await PutAsync(store, "/mine/2");
        Assert.Equal(target + 1, await NextAsync(watch));
    }

    [Fact]
    public async Task Stores_on_one_namespace_share_revisions_and_namespaces_are_isolated()
    {
        var options = etcd.NewStoreOptions();
        var a = await OpenAsync(options);
        var b = await OpenAsync(options);

        Assert.Equal(new TxnResult(true, 1), await PutAsync(a, "/k"));
        Assert.Equal(new TxnResult(true, 2), await PutAsync(b, "/k"));
        Assert.Equal(2, (await a.GetAsync("/k"))!.ModRevision);
        // (Opening a namespace writes its origin: a revision of the shared etcd, hence opened last here.)
        var elsewhere = await OpenAsync(etcd.NewStoreOptions());
        Assert.Null(await elsewhere.GetAsync("/k"));
        Assert.Empty((await elsewhere.RangeAsync("")).Kvs);
    }

    [Fact]
    public async Task A_namespace_with_data_but_no_origin_is_refused()
    {
        var options = etcd.NewStoreOptions();
        var store = await OpenAsync(options);
        // Store key /x/data/k is etcd key {ns}/data/x/data/k: data of the namespace {ns}/data/x, which has no origin.
        await PutAsync(store, "/x/data/k");

        await Assert.ThrowsAsync<StoreUnavailableException>(() => EtcdStore.OpenAsync(etcd.NewStoreOptions(options.Namespace + "/data/x")));
        await using var empty = await EtcdStore.OpenAsync(etcd.NewStoreOptions(options.Namespace + "/data/y"));
        Assert.Empty((await empty.RangeAsync("")).Kvs); // an empty namespace beside it opens fine
    }

    [Theory]
    [InlineData("etcd://h1:2379,h2:2380,h3", "http://h1:2379/|http://h2:2380/|http://h3:2379/", "/portolan")]
    [InlineData("etcd://127.0.0.1:41000/staging", "http://127.0.0.1:41000/", "/staging")]
    [InlineData("etcd://[::1]:2379,10.0.0.2/a/b/", "http://[::1]:2379/|http://10.0.0.2:2379/", "/a/b")]
    public void Store_uri_names_members_and_namespace(string uri, string endpoints, string ns)
    {
        var options = EtcdStoreOptions.Parse(uri);

        Assert.Equal(endpoints, string.Join('|', options.Endpoints.Select(e => e.ToString())));
        Assert.Equal(ns, options.Namespace);
    }

    [Theory]
    [InlineData("etcd://")]
    [InlineData("etcd://h1:notaport")]
    [InlineData("etcd://h1:2379,,h2:2379")]
    [InlineData("etcd://user@h1:2379")]
    [InlineData("http://h1:2379")]
    [InlineData("etcd://h1:99999")]
    public void Malformed_store_uri_is_rejected(string uri) => Assert.Throws<FormatException>(() => EtcdStoreOptions.Parse(uri));

    private async Task<EtcdStore> OpenAsync(EtcdStoreOptions options)
    {
        var store = await EtcdStore.OpenAsync(options);
        _stores.Add(store);
        return store;
    }

    private int MemberOf(EtcdStore store) =>
        etcd.Cluster.ClientEndpoints.ToList().IndexOf($"{store.CurrentEndpoint.Host}:{store.CurrentEndpoint.Port}");

    private static async Task<TxnResult> PutAsync(IStore store, string key, long lease = 0) =>
        await store.TxnAsync(Txn.Unconditional(TxnOp.Put(key, Encoding.UTF8.GetBytes(key), lease)));

    /// <summary>The revision of the next batch with events (progress notifications skipped).</summary>
    private static async Task<long> NextAsync(IAsyncEnumerator<WatchBatch> watch)
    {
        do
        {
            Assert.True(await watch.MoveNextAsync().AsTask().WaitAsync(Timeout));
        }
        while (watch.Current.Events.Count == 0);

        return watch.Current.Revision;
    }
}
