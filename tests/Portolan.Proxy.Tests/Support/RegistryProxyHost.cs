using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Portolan.Core;
using Portolan.Core.LoadBalancing;
using Portolan.Core.LoadBalancing.Validation;
using Portolan.Core.Snapshots;
using Portolan.Storage;
using Portolan.Storage.Sqlite;
using Portolan.Testing;

namespace Portolan.Proxy.Tests.Support;

/// <summary>
/// The server's load-balancing half in one host, as <c>portolan serve</c> wires it: a real SQLite store, the registry
/// and its snapshot feed, and the data plane fed from the snapshot. Tests change state through
/// <see cref="LoadBalancingRegistry"/> (what the ELBv2 API calls), wait until the data plane runs it, and send real
/// traffic. A virtual clock drives the registry's timestamps, the store's leases (drain deadlines) and the data
/// plane's drain timers.
/// </summary>
public sealed class RegistryProxyHost : IAsyncDisposable
{
    private readonly TempDirectory _dir;
    private readonly IStore _store;
    private readonly IHost _host;
    private int _stopped;

    private RegistryProxyHost(TempDirectory dir, IStore store, IHost host, FakeTimeProvider clock)
    {
        _dir = dir;
        _store = store;
        _host = host;
        Clock = clock;
    }

    public FakeTimeProvider Clock { get; }
    public LoadBalancingRegistry Registry => _host.Services.GetRequiredService<LoadBalancingRegistry>();
    public LoadBalancingSnapshot State => Registry.Current;
    public IProxyListeners Listeners => _host.Services.GetRequiredService<IProxyListeners>();
    public Configuration.IProxyConfigSource Source => _host.Services.GetRequiredService<Configuration.IProxyConfigSource>();

    public static async Task<RegistryProxyHost> StartAsync(Action<ProxyOptions>? configure = null)
    {
        var dir = new TempDirectory();
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var store = await SqliteStore.OpenAsync(Path.Combine(dir.Path, "portolan.db"), time: clock);
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        if (Environment.GetEnvironmentVariable("PROXY_TEST_LOG") == "1") builder.Logging.AddSimpleConsole();
        else builder.Logging.AddFilter(_ => false);
        builder.Services.AddSingleton<TimeProvider>(clock);
        builder.Services.AddSingleton<IStore>(store);
        builder.Services.AddPortolanRegistry();
        builder.Services.AddPortolanProxyFromRegistry(o =>
        {
            o.ListenerRetryInterval = TimeSpan.FromMilliseconds(200);
            configure?.Invoke(o);
        });
        var host = builder.Build();
        await host.StartAsync();
        return new RegistryProxyHost(dir, store, host, clock);
    }

    /// <summary>Returns once the data plane runs what the registry holds now.</summary>
    public async Task SyncAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await Listeners.WaitForAppliedAsync(Source.Current, timeout.Token);
    }

    /// <summary>Waits (bounded) until <paramref name="condition"/> holds, re-checking after every registry change and every apply.</summary>
    public async Task WaitUntilAsync(Func<bool> condition)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var snapshots = _host.Services.GetRequiredService<ISnapshotSource>();
        while (!condition())
        {
            await Task.WhenAny(
                snapshots.WaitForChangeAsync(snapshots.Current.Revision, timeout.Token).AsTask(),
                Task.Delay(50, timeout.Token));
            timeout.Token.ThrowIfCancellationRequested();
        }
    }

    public Uri Url(string listenerArn, string scheme = "http") =>
        new($"{scheme}://127.0.0.1:{(Listeners.FindEndPoint(listenerArn) ?? throw new InvalidOperationException($"Listener {listenerArn} is not running.")).Port}/");

    public Task<LoadBalancerRecord> LoadBalancerAsync(string name) =>
        Registry.CreateLoadBalancerAsync(new CreateLoadBalancerCommand { Name = name, Subnets = ["subnet-1", "subnet-2"] });

    public Task<TargetGroupRecord> TargetGroupAsync(string name, int port, ProtocolVersion? version = null, TargetType type = TargetType.Ip) =>
        Registry.CreateTargetGroupAsync(new CreateTargetGroupCommand
        {
            Name = name, Protocol = ElbProtocol.Http, ProtocolVersion = version, Port = port, VpcId = "vpc-1", TargetType = type,
        });

    /// <summary>An HTTP listener on a free port whose default action forwards to the groups, then waits until it serves.</summary>
    public async Task<ListenerRecord> ListenerAsync(LoadBalancerRecord lb, params string[] targetGroupArns)
    {
        var listener = await Registry.CreateListenerAsync(new CreateListenerCommand
        {
            LoadBalancerArn = lb.Arn, Protocol = ElbProtocol.Http, Port = FreePorts.Next(), DefaultActions = [Forward(targetGroupArns)],
        });
        await SyncAsync();
        return listener;
    }

    public Task RegisterAsync(TargetGroupRecord tg, params Backend[] backends) =>
        Registry.RegisterTargetsAsync(tg.Arn, [.. backends.Select(b => new TargetDescription("127.0.0.1", b.Port))]);

    public Task SetHealthAsync(TargetGroupRecord tg, Backend backend, TargetHealthState state) =>
        Registry.SetTargetHealthAsync(tg.Arn, new TargetKey("127.0.0.1", backend.Port), state,
            state == TargetHealthState.Unhealthy ? TargetHealthReason.FailedHealthChecks : null, null);

    public static RuleAction Forward(params string[] targetGroupArns) => Forward(targetGroupArns.Select(a => (a, 1)).ToArray());

    public static RuleAction Forward(params (string Arn, int Weight)[] groups) => new()
    {
        Type = ActionType.Forward,
        Forward = new ForwardConfig([.. groups.Select(g => new WeightedTargetGroup(g.Arn, g.Weight))], new TargetGroupStickiness(false, null)),
    };

    public static RuleAction Fixed(int status, string body) => new()
    {
        Type = ActionType.FixedResponse,
        FixedResponse = new FixedResponseConfig(status, "text/plain", body),
    };

    public static Core.LoadBalancing.RuleCondition Condition(ConditionField field, params string[] values) => new() { Field = field, Values = [.. values] };


    /// <summary>Stops the host as <c>portolan serve</c> stops on SIGTERM: listeners close, in-flight requests get their grace.</summary>
    public async Task StopAsync()
    {
        if (Interlocked.Exchange(ref _stopped, 1) == 0) await _host.StopAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _host.Dispose();
        await _store.DisposeAsync();
        _dir.Dispose();
    }
}
