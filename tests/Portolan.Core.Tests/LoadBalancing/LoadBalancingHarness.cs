using System.Collections.Immutable;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Portolan.Core.LoadBalancing;
using Portolan.Core.Registry;
using Portolan.Core.Snapshots;
using Portolan.Storage;
using Portolan.Storage.Sqlite;
using Portolan.Testing;

namespace Portolan.Core.Tests.LoadBalancing;

/// <summary>
/// A <see cref="LoadBalancingRegistry"/> on a real SQLite store in a temp directory, with its snapshot feed running and
/// a virtual clock that drives both the registry's timestamps and the store's lease expiry (draining).
/// </summary>
internal sealed class LoadBalancingHarness : IAsyncDisposable
{
    private readonly TempDirectory _dir;

    private LoadBalancingHarness(TempDirectory dir, IStore store, SnapshotFeed feed, LoadBalancingRegistry registry, FakeTimeProvider clock)
    {
        _dir = dir;
        Store = store;
        Feed = feed;
        Registry = registry;
        Clock = clock;
    }

    public IStore Store { get; }
    public SnapshotFeed Feed { get; }
    public LoadBalancingRegistry Registry { get; }
    public FakeTimeProvider Clock { get; }
    public LoadBalancingSnapshot Lb => Feed.Current.LoadBalancing;

    public static async Task<LoadBalancingHarness> StartAsync(LoadBalancingOptions? options = null, bool strict = false)
    {
        var dir = new TempDirectory();
        var clock = new FakeTimeProvider(new DateTimeOffset(2025, 6, 1, 12, 0, 0, TimeSpan.Zero));
        var store = await SqliteStore.OpenAsync(System.IO.Path.Combine(dir.Path, "portolan.db"), time: clock);
        var feed = new SnapshotFeed(store, NullLogger<SnapshotFeed>.Instance);
        await feed.StartAsync(CancellationToken.None);
        var registry = new LoadBalancingRegistry(store, feed, Options.Create(new RegistryOptions { StrictAws = strict }),
            Options.Create(options ?? new LoadBalancingOptions()), clock);
        return new LoadBalancingHarness(dir, store, feed, registry, clock);
    }

    /// <summary>Waits (bounded) until the snapshot satisfies <paramref name="condition"/>, e.g. after a lease expired.</summary>
    public async Task WaitUntilAsync(Func<LoadBalancingSnapshot, bool> condition)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (!condition(Lb))
        {
            await Feed.WaitForChangeAsync(Feed.Current.Revision, timeout.Token);
        }
    }

    public Task<LoadBalancerRecord> LoadBalancerAsync(string name = "demo-alb") =>
        Registry.CreateLoadBalancerAsync(new CreateLoadBalancerCommand { Name = name, Subnets = ["subnet-1", "subnet-2"] });

    public Task<TargetGroupRecord> TargetGroupAsync(string name = "echo-http", int port = 80, ProtocolVersion? version = null,
        ElbProtocol protocol = ElbProtocol.Http, TargetType type = TargetType.Ip) =>
        Registry.CreateTargetGroupAsync(new CreateTargetGroupCommand
        {
            Name = name, Protocol = protocol, ProtocolVersion = version, Port = port, VpcId = "vpc-1", TargetType = type,
        });

    public Task<ListenerRecord> ListenerAsync(LoadBalancerRecord lb, int port, params string[] targetGroupArns) =>
        Registry.CreateListenerAsync(new CreateListenerCommand
        {
            LoadBalancerArn = lb.Arn, Protocol = ElbProtocol.Http, Port = port, DefaultActions = [Forward(targetGroupArns)],
        });

    public static RuleAction Forward(params string[] targetGroupArns) => new()
    {
        Type = ActionType.Forward,
        Forward = new ForwardConfig(targetGroupArns.Select(a => new WeightedTargetGroup(a, 1)).ToImmutableArray(), new TargetGroupStickiness(false, null)),
    };

    public static RuleCondition Path(params string[] patterns) => new() { Field = ConditionField.PathPattern, Values = [.. patterns] };

    public async ValueTask DisposeAsync()
    {
        await Feed.DisposeAsync();
        await Store.DisposeAsync();
        _dir.Dispose();
    }
}
