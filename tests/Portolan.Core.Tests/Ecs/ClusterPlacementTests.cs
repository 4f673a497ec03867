using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Portolan.Core.Cluster;
using Portolan.Core.Ecs;
using Portolan.Core.Ecs.Model;
using Portolan.Core.Ecs.Registry;
using Portolan.Core.Tests.Registry;
using Portolan.Storage;
using Portolan.Storage.Sqlite;
using Portolan.Testing;

namespace Portolan.Core.Tests.Ecs;

/// <summary>
/// Task placement over cluster members: two real <see cref="ClusterMembership"/> nodes on a SQLite store with a
/// virtual clock (so a lease can expire), each advertising its container instance id, and the ECS registry placing
/// through node b's view, as the leader's would.
/// </summary>
public sealed class ClusterPlacementTests : IAsyncLifetime
{
    private const string InstanceA = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
    private const string InstanceB = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private readonly TempDirectory _dir = new("portolan-placement");
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero));
    private IStore _membershipStore = null!;
    private ClusterMembership _a = null!;
    private ClusterMembership _b = null!;
    private RegistryHarness _registry = null!;
    private EcsRegistry _ecs = null!;

    public async Task InitializeAsync()
    {
        _membershipStore = await SqliteStore.OpenAsync(Path.Combine(_dir.Path, "cluster.db"), time: _clock);
        _a = await JoinAsync("node-a", InstanceA, TimeSpan.FromSeconds(3));
        _b = await JoinAsync("node-b", InstanceB, TimeSpan.FromSeconds(60));
        await UntilAsync(() => _b.View.Nodes.Length == 2);
        _registry = await RegistryHarness.StartAsync();
        _ecs = new EcsRegistry(_registry.Store, _registry.Feed, Options.Create(_registry.Registry.Options), Options.Create(new EcsOptions { NodeId = InstanceB }),
            new NoTargetGroupCatalog(), TimeProvider.System, new ClusterContainerInstances(_b));
        await _ecs.CreateClusterAsync(new CreateClusterCommand("demo"));
        await _ecs.RegisterTaskDefinitionAsync(new RegisterTaskDefinitionCommand { Family = "echo", ContainerDefinitions = [EcsHarness.Container()] });
    }

    public async Task DisposeAsync()
    {
        await _registry.DisposeAsync();
        await _a.DisposeAsync();
        await _b.DisposeAsync();
        await _membershipStore.DisposeAsync();
        _dir.Dispose();
    }

    [Fact]
    public async Task Service_tasks_spread_over_the_live_nodes_fewest_of_the_service_first()
    {
        Assert.Equal([InstanceA, InstanceB], _ecs.Instances.Live);
        // A standalone task on b first: a tie in the service's count then goes to the node running fewer tasks in all.
        await _ecs.RunTaskAsync(new RunTaskCommand { Cluster = "demo", TaskDefinition = "echo", ContainerInstances = [InstanceB] });
        var deployment = await ServiceAsync("web", 0);

        var first = await _ecs.LaunchServiceTasksAsync("demo", "web", deployment, 1);
        var rest = await _ecs.LaunchServiceTasksAsync("demo", "web", deployment, 3);

        Assert.Equal(InstanceA, Assert.Single(first).NodeId);
        Assert.Equal(2, first.Concat(rest).Count(t => t.NodeId == InstanceA));
        Assert.Equal(2, first.Concat(rest).Count(t => t.NodeId == InstanceB));
        Assert.All(first.Concat(rest), t => Assert.Equal($"arn:aws:ecs:us-east-1:000000000000:container-instance/demo/{t.NodeId}", t.ContainerInstanceArn));
    }

    [Fact]
    public async Task RunTask_spreads_its_group_and_StartTask_reports_instances_that_are_not_live_as_missing()
    {
        var run = await _ecs.RunTaskAsync(new RunTaskCommand { Cluster = "demo", TaskDefinition = "echo", Count = 4 });
        Assert.Equal(2, run.Tasks.Count(t => t.NodeId == InstanceA));

        var arnA = _ecs.Arns.ContainerInstance("demo", InstanceA);
        var start = await _ecs.RunTaskAsync(new RunTaskCommand { Cluster = "demo", TaskDefinition = "echo", ContainerInstances = [arnA, "cccccccccccccccccccccccccccccccc"] });

        Assert.Equal(InstanceA, Assert.Single(start.Tasks).NodeId);
        Assert.Equal((_ecs.Arns.ContainerInstance("demo", "cccccccccccccccccccccccccccccccc"), "MISSING"), Assert.Single(start.Failures));
    }

    [Fact]
    public async Task The_tasks_of_a_node_whose_lease_expired_are_stopped_and_new_ones_go_to_the_survivor()
    {
        var deployment = await ServiceAsync("api", 0);
        var tasks = await _ecs.LaunchServiceTasksAsync("demo", "api", deployment, 2);
        var onA = tasks.Single(t => t.NodeId == InstanceA);
        var onB = tasks.Single(t => t.NodeId == InstanceB);
        Assert.False(_ecs.Instances.IsLost(InstanceA));
        // Not lost yet: nothing to stop.
        Assert.Empty(await _ecs.StopLostTasksAsync([(onA.Id, "x")]));

        await _a.AbandonAsync();                     // as kill -9: no revoke
        _clock.Advance(TimeSpan.FromSeconds(4));
        await UntilAsync(() => _b.View.Nodes.Length == 1);

        Assert.True(_ecs.Instances.IsLost(InstanceA));
        Assert.Equal("node-a", _ecs.Instances.NodeName(InstanceA));
        var stopped = Assert.Single(await _ecs.StopLostTasksAsync([(onA.Id, "Host node-a left the cluster."), (onB.Id, "not lost")]));
        Assert.Equal((onA.Id, EcsTaskStatus.Stopped, EcsTaskStatus.Stopped, StopCodes.TerminationNotice, "Host node-a left the cluster."),
            (stopped.Id, stopped.DesiredStatus, stopped.LastStatus, stopped.StopCode, stopped.StoppedReason));
        Assert.All(stopped.Containers, c => Assert.Equal(EcsTaskStatus.Stopped, c.LastStatus));
        Assert.Equal(EcsTaskStatus.Provisioning, _registry.Snapshot.Ecs.Task(onB.Id)!.Record.LastStatus);

        var replacements = await _ecs.LaunchServiceTasksAsync("demo", "api", deployment, 2);
        Assert.All(replacements, t => Assert.Equal(InstanceB, t.NodeId));
    }

    private async Task<string> ServiceAsync(string name, int desired)
    {
        var svc = await _ecs.CreateServiceAsync(new CreateEcsServiceCommand { Cluster = "demo", ServiceName = name, TaskDefinition = "echo", DesiredCount = desired });
        return svc.Primary.Id;
    }

    private async Task<ClusterMembership> JoinAsync(string name, string instance, TimeSpan ttl)
    {
        var options = new ClusterOptions { NodeId = name, NodeTtl = ttl, Version = "test" };
        options.Meta[ClusterContainerInstances.MetaKey] = instance;
        var node = new ClusterMembership(_membershipStore, Options.Create(options), _clock, NullLogger<ClusterMembership>.Instance);
        await node.StartAsync(CancellationToken.None).WaitAsync(Timeout);
        return node;
    }

    private static async Task UntilAsync(Func<bool> condition)
    {
        using var timeout = new CancellationTokenSource(Timeout);
        while (!condition())
        {
            await Task.Delay(10, timeout.Token);
        }
    }
}
