using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Portolan.Core.Cluster;
using Portolan.Storage.Etcd;

namespace Portolan.ClusterTests;

/// <summary>
/// The ownership primitives on the real etcd cluster, leases expiring on etcd's clock: three members in one
/// process (each with its own store connection), one of which stops renewing as a crashed node would.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class MembershipOnEtcdTests(ClusterFixture cluster) : IAsyncLifetime
{
    private readonly List<ClusterMembership> _nodes = [];
    private readonly List<EtcdStore> _stores = [];
    private readonly string _namespace = $"/membership-{Guid.NewGuid():N}";

    public Task InitializeAsync() => cluster.RestoreAsync();

    public async Task DisposeAsync()
    {
        foreach (var node in _nodes) await node.DisposeAsync();
        foreach (var store in _stores) await store.DisposeAsync();
    }

    [Fact]
    public async Task A_crashed_owner_s_items_move_to_the_survivors_and_only_its_items_move()
    {
        var n1 = await JoinAsync("n1");
        var n2 = await JoinAsync("n2");
        var n3 = await JoinAsync("n3");
        await Until.TrueAsync(() => Task.FromResult(_nodes.All(n => n.View.Nodes.Length == 3)), "three live nodes");
        var items = Enumerable.Range(0, 300).Select(i => $"/p/sd/health/srv-{i % 7}/i-{i}").ToList();
        Assert.All(items, i => Assert.Equal(1, _nodes.Count(n => n.Owns(i))));
        var before = items.ToDictionary(i => i, i => n1.View.OwnerOf(i));
        Assert.True(n1.IsLeader); // first to join

        await n1.AbandonAsync();   // no revoke: etcd expires its lease after the TTL
        await Until.TrueAsync(() => Task.FromResult(n2.View.Nodes.Length == 2 && n3.View.Nodes.Length == 2 && (n2.IsLeader || n3.IsLeader)), "n1 to be dropped");

        Assert.True(n2.IsLeader ^ n3.IsLeader);
        Assert.All(items, i => Assert.True(n2.Owns(i) ^ n3.Owns(i)));
        Assert.All(items.Where(i => before[i] != "n1"), i => Assert.Equal(before[i], n2.View.OwnerOf(i)));
        Assert.Contains(items, i => before[i] == "n1" && n2.Owns(i));
        Assert.Contains(items, i => before[i] == "n1" && n3.Owns(i));
    }

    private async Task<ClusterMembership> JoinAsync(string id)
    {
        var store = await EtcdStore.OpenAsync(EtcdStoreOptions.Parse(cluster.Etcd.StoreUri(_namespace)));
        _stores.Add(store);
        var node = new ClusterMembership(store, Options.Create(new ClusterOptions { NodeId = id, NodeTtl = TimeSpan.FromSeconds(3) }),
            TimeProvider.System, NullLogger<ClusterMembership>.Instance);
        _nodes.Add(node);
        await node.StartAsync(CancellationToken.None);
        return node;
    }
}
