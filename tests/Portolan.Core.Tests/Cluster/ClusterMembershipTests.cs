using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Portolan.Core.Cluster;
using Portolan.Storage;
using Portolan.Storage.Sqlite;
using Portolan.Testing;

namespace Portolan.Core.Tests.Cluster;

/// <summary>
/// Membership on the real SQLite store with a virtual clock shared by the store's leases and the nodes' renewals.
/// Several nodes share one store here as they would share an etcd cluster. Where a node must outlive another's
/// lease, it gets a much longer TTL, so no renewal has to happen "in time" while the clock jumps.
/// </summary>
public sealed class ClusterMembershipTests : IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan Short = TimeSpan.FromSeconds(3);
    private static readonly TimeSpan Long = TimeSpan.FromSeconds(60);
    private readonly TempDirectory _dir = new("portolan-cluster");
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero));
    private readonly List<ClusterMembership> _nodes = [];
    private IStore _store = null!;

    public async Task InitializeAsync() => _store = await SqliteStore.OpenAsync(Path.Combine(_dir.Path, "store.db"), time: _clock);

    public async Task DisposeAsync()
    {
        foreach (var node in _nodes) await node.DisposeAsync();
        await _store.DisposeAsync();
        _dir.Dispose();
    }

    [Fact]
    public async Task A_single_node_is_live_leads_and_owns_everything()
    {
        var node = await StartAsync("solo", Short, api: "http://127.0.0.1:7766");

        Assert.True(node.IsLive);
        Assert.True(node.IsLeader);
        Assert.All(Enumerable.Range(0, 100), i => Assert.True(node.Owns($"check-{i}")));
        var self = Assert.Single(node.View.Nodes);
        Assert.Equal(("solo", node.Lease), (self.Id, self.Lease));
        Assert.Equal(["http://127.0.0.1:7766"], self.Addresses["api"]);
        Assert.Equal("solo", node.View.LeaderId);
    }

    [Fact]
    public async Task Two_nodes_agree_on_one_leader_and_split_the_work_evenly()
    {
        var a = await StartAsync("node-a", Long);
        var b = await StartAsync("node-b", Long);
        await UntilAsync(() => a.View.Nodes.Length == 2 && b.View.Nodes.Length == 2);

        Assert.True(a.IsLeader);
        Assert.False(b.IsLeader);
        Assert.Equal("node-a", b.View.LeaderId);
        var keys = Enumerable.Range(0, 2000).Select(i => $"/p/sd/inst/srv-{i % 37}/i-{i}").ToList();
        Assert.All(keys, k => Assert.True(a.Owns(k) ^ b.Owns(k), $"{k} must have exactly one owner"));
        Assert.All(keys, k => Assert.Equal(a.View.OwnerOf(k), b.View.OwnerOf(k)));
        var share = keys.Count(a.Owns) / (double)keys.Count;
        Assert.InRange(share, 0.45, 0.55);
    }

    [Fact]
    public async Task A_crashed_leader_is_dropped_when_its_lease_expires_and_its_work_and_leadership_move()
    {
        var a = await StartAsync("node-a", Short);
        var b = await StartAsync("node-b", Long);
        var c = await StartAsync("node-c", Long);
        await UntilAsync(() => c.View.Nodes.Length == 3 && b.View.Nodes.Length == 3);
        Assert.True(a.IsLeader);
        var keys = Enumerable.Range(0, 600).Select(i => $"check-{i}").ToList();
        var ownedByA = keys.Where(a.Owns).ToList();
        var ownedByB = keys.Where(b.Owns).ToList();

        await a.AbandonAsync();                 // as kill -9: no revoke
        _clock.Advance(Short + TimeSpan.FromSeconds(1));
        await UntilAsync(() => b.View.Nodes.Length == 2 && c.View.Nodes.Length == 2 && (b.IsLeader || c.IsLeader));

        Assert.False(a.IsLive);
        Assert.True(b.IsLeader ^ c.IsLeader);
        Assert.All(keys, k => Assert.True(b.Owns(k) ^ c.Owns(k)));
        // Rendezvous hashing: B keeps all it had, and only A's items moved (spread over both survivors).
        Assert.All(ownedByB, k => Assert.True(b.Owns(k)));
        Assert.Contains(ownedByA, b.Owns);
        Assert.Contains(ownedByA, c.Owns);
    }

    [Fact]
    public async Task A_node_that_stops_hands_over_at_once()
    {
        var a = await StartAsync("node-a", Long);
        var b = await StartAsync("node-b", Long);
        await UntilAsync(() => b.View.Nodes.Length == 2);

        await a.DisposeAsync();                 // revokes its lease: no clock needed
        await UntilAsync(() => b.IsLeader && b.View.Nodes.Length == 1);

        Assert.True(b.Owns("anything"));
    }

    [Fact]
    public async Task A_node_whose_lease_was_lost_registers_again_and_takes_up_leadership()
    {
        var a = await StartAsync("node-a", Short);
        var first = a.Lease;

        await _store.RevokeLeaseAsync(first);   // as if the cluster had expired it during a long pause
        await UntilAsync(() => a.View.Nodes.IsEmpty && a.View.LeaderId is null);
        Assert.False(a.IsLeader);
        _clock.Advance(Short / 3);              // the next renewal finds the lease gone
        await UntilAsync(() => a.IsLeader && a.View.Nodes.Length == 1);

        Assert.NotEqual(first, a.Lease);
        Assert.Equal(a.Lease, a.View.Nodes[0].Lease);
    }

    [Fact]
    public async Task A_node_that_cannot_renew_stops_leading_and_owning_after_one_ttl()
    {
        var store = new UnrenewableStore(_store);
        var node = new ClusterMembership(store, Options("cut-off", Short), _clock, NullLogger<ClusterMembership>.Instance);
        _nodes.Add(node);
        await node.StartAsync(CancellationToken.None);
        Assert.True(node.IsLeader);

        store.Renewals = false;
        _clock.Advance(Short - TimeSpan.FromMilliseconds(1));
        Assert.True(node.IsLeader);             // still within the TTL of its last renewal
        _clock.Advance(TimeSpan.FromMilliseconds(1));

        Assert.False(node.IsLive);
        Assert.False(node.IsLeader);
        Assert.False(node.Owns("anything"));
    }

    [Fact]
    public async Task A_restarted_node_takes_its_leadership_back_from_its_previous_incarnation()
    {
        var before = await StartAsync("node-a", Short);
        await before.AbandonAsync();            // crashed; its keys stay until its lease expires

        var after = await StartAsync("node-a", Short);

        Assert.True(after.IsLeader);
        Assert.Equal(after.Lease, after.View.LeaderLease);
        Assert.Equal(after.Lease, Assert.Single(after.View.Nodes).Lease);
    }

    [Fact]
    public void Node_ids_must_be_usable_as_key_segments()
    {
        Assert.Throws<ArgumentException>(() => new ClusterMembership(_store, Options("a/b", Short), _clock, NullLogger<ClusterMembership>.Instance));
        Assert.Throws<ArgumentException>(() => new ClusterMembership(_store, Options(" ", Short), _clock, NullLogger<ClusterMembership>.Instance));
    }

    private async Task<ClusterMembership> StartAsync(string id, TimeSpan ttl, string? api = null)
    {
        var node = new ClusterMembership(_store, Options(id, ttl, api), _clock, NullLogger<ClusterMembership>.Instance);
        _nodes.Add(node);
        await node.StartAsync(CancellationToken.None).WaitAsync(Timeout);
        return node;
    }

    private static IOptions<ClusterOptions> Options(string id, TimeSpan ttl, string? api = null) => Microsoft.Extensions.Options.Options.Create(new ClusterOptions
    {
        NodeId = id,
        NodeTtl = ttl,
        Version = "test",
        Addresses = () => api is null ? new Dictionary<string, IReadOnlyList<string>>() : new() { ["api"] = [api] },
    });

    /// <summary>Waits (on real time, for background work to happen) until the condition holds; fails after 30 s.</summary>
    private static async Task UntilAsync(Func<bool> condition)
    {
        using var timeout = new CancellationTokenSource(Timeout);
        while (!condition())
        {
            await Task.Delay(10, timeout.Token);
        }
    }

    /// <summary>The real store, whose keep-alives can be made to fail as if the store were unreachable.</summary>
    private sealed class UnrenewableStore(IStore inner) : IStore
    {
        public bool Renewals { get; set; } = true;

        public ValueTask KeepAliveAsync(long leaseId, CancellationToken cancellationToken = default) =>
            Renewals ? inner.KeepAliveAsync(leaseId, cancellationToken) : throw new StoreUnavailableException("unreachable (injected)");

        public ValueTask<long> GetRevisionAsync(CancellationToken cancellationToken = default) => inner.GetRevisionAsync(cancellationToken);
        public ValueTask<KeyValue?> GetAsync(string key, CancellationToken cancellationToken = default) => inner.GetAsync(key, cancellationToken);
        public ValueTask<RangeResult> RangeAsync(string prefix, RangeOptions? options = null, CancellationToken cancellationToken = default) => inner.RangeAsync(prefix, options, cancellationToken);
        public ValueTask<TxnResult> TxnAsync(Txn txn, CancellationToken cancellationToken = default) => inner.TxnAsync(txn, cancellationToken);
        public IAsyncEnumerable<WatchBatch> WatchAsync(string prefix, long fromRevision, CancellationToken cancellationToken = default) => inner.WatchAsync(prefix, fromRevision, cancellationToken);
        public ValueTask<long> GrantLeaseAsync(TimeSpan ttl, CancellationToken cancellationToken = default) => inner.GrantLeaseAsync(ttl, cancellationToken);
        public ValueTask RevokeLeaseAsync(long leaseId, CancellationToken cancellationToken = default) => inner.RevokeLeaseAsync(leaseId, cancellationToken);
        public ValueTask CompactAsync(long revision, CancellationToken cancellationToken = default) => inner.CompactAsync(revision, cancellationToken);
        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
