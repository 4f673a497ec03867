using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Portolan.Core.Cluster;
using Portolan.Health.Ownership;
using Portolan.Health.Tests.Support;
using Portolan.Storage;
using Portolan.Storage.Sqlite;
using Portolan.Testing;

namespace Portolan.Health.Tests.Ownership;

/// <summary>
/// Two nodes' schedulers sharing checks through real cluster membership (two members on one SQLite store, as they
/// would share etcd): every subject is probed by exactly one node, and a node that leaves hands its checks over.
/// </summary>
public sealed class ClusterOwnershipTests : IAsyncLifetime
{
    private readonly TempDirectory _dir = new("portolan-health-cluster");
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
    private readonly List<ClusterMembership> _nodes = [];
    private IStore _store = null!;

    public async Task InitializeAsync() => _store = await SqliteStore.OpenAsync(Path.Combine(_dir.Path, "store.db"), time: _clock);

    public async Task DisposeAsync()
    {
        foreach (var node in _nodes) await node.DisposeAsync();
        await _store.DisposeAsync();
        _dir.Dispose();
    }

    private async Task<ClusterMembership> NodeAsync(string id)
    {
        // A long TTL: nothing here depends on renewals arriving while the virtual clock stands still.
        var node = new ClusterMembership(_store, Options.Create(new ClusterOptions { NodeId = id, NodeTtl = TimeSpan.FromSeconds(60), Version = "test" }),
            _clock, NullLogger<ClusterMembership>.Instance);
        _nodes.Add(node);
        await node.StartAsync(CancellationToken.None);
        return node;
    }

    [Fact]
    public async Task Each_check_has_exactly_one_prober_and_a_leaving_node_hands_its_checks_over()
    {
        var a = await NodeAsync("node-a");
        var b = await NodeAsync("node-b");
        await SchedulerHarness.Eventually(() => a.View.Nodes.Length == 2 && b.View.Nodes.Length == 2, "both nodes to see each other");
        using var ownsA = new ClusterOwnership(a);
        using var ownsB = new ClusterOwnership(b);
        await using var onA = new SchedulerHarness(ownership: ownsA);
        await using var onB = new SchedulerHarness(ownership: ownsB);
        await onA.Scheduler.StartAsync(CancellationToken.None);
        await onB.Scheduler.StartAsync(CancellationToken.None);

        var subjects = Enumerable.Range(0, 200).Select(i => SchedulerHarness.Subject($"t{i}", TimeSpan.FromSeconds(10))).ToArray();
        await onA.SetSubjectsAsync(subjects);
        await onB.SetSubjectsAsync(subjects);
        Assert.All(subjects, s => Assert.True(onA.View.TryGet(s.Key, out _) ^ onB.View.TryGet(s.Key, out _), $"{s.Key} must be probed by exactly one node"));
        Assert.InRange(onA.View.Count, 50, 150); // rendezvous hashing splits the work

        // node-b leaves (revokes its lease): node-a's view changes and its scheduler takes every check.
        await b.DisposeAsync();
        await SchedulerHarness.Eventually(() => onA.View.Count == subjects.Length, "node-a to take over node-b's checks");
    }
}
