using System.Collections.Immutable;
using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Portolan.Proxy.Configuration;

namespace Portolan.Proxy.Tests.Support;

/// <summary>
/// The data plane in a host of its own, fed by an <see cref="InMemoryProxyConfigSource"/>: tests publish a config,
/// wait until it is applied, then send real traffic to the ports it bound.
/// </summary>
public sealed class ProxyHost : IAsyncDisposable
{
    private readonly IHost _host;
    private readonly InMemoryProxyConfigSource _source;
    private long _version;

    private ProxyHost(IHost host, InMemoryProxyConfigSource source)
    {
        _host = host;
        _source = source;
    }

    public IServiceProvider Services => _host.Services;

    public IProxyListeners Listeners => _host.Services.GetRequiredService<IProxyListeners>();

    public static async Task<ProxyHost> StartAsync(Action<ProxyOptions>? configure = null, TimeProvider? time = null)
    {
        var source = new InMemoryProxyConfigSource();
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        // PROXY_TEST_LOG=1 shows the data plane's own log on the console.
        if (Environment.GetEnvironmentVariable("PROXY_TEST_LOG") == "1") builder.Logging.AddSimpleConsole();
        else builder.Logging.AddFilter(_ => false);
        if (time is not null) builder.Services.AddSingleton(time);
        builder.Services.AddSingleton<IProxyConfigSource>(source);
        builder.Services.AddPortolanProxy(configure);
        var host = builder.Build();
        await host.StartAsync();
        return new ProxyHost(host, source);
    }

    /// <summary>Publishes <paramref name="config"/> and returns once the data plane runs it.</summary>
    public async Task ApplyAsync(ProxyConfig config)
    {
        config = config with { Version = Interlocked.Increment(ref _version) };
        _source.Update(config);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await Listeners.WaitForAppliedAsync(config, timeout.Token);
    }

    public Task ApplyAsync(ImmutableArray<TargetGroupConfig> groups, params ListenerConfig[] listeners) =>
        ApplyAsync(new ProxyConfig { TargetGroups = groups, Listeners = [.. listeners] });

    public Uri Url(string listenerId, string scheme = "http")
    {
        var endpoint = Listeners.FindEndPoint(listenerId) ?? throw new InvalidOperationException($"Listener {listenerId} is not running.");
        return new Uri($"{scheme}://127.0.0.1:{endpoint.Port}/");
    }

    public IPEndPoint EndPoint(string listenerId) => Listeners.FindEndPoint(listenerId) ?? throw new InvalidOperationException($"Listener {listenerId} is not running.");

    public async ValueTask DisposeAsync()
    {
        await _host.StopAsync();
        _host.Dispose();
    }

    /// <summary>A listener on 127.0.0.1:0 whose default action forwards to <paramref name="targetGroupId"/>.</summary>
    public static ListenerConfig Listener(string id, string targetGroupId, params RuleConfig[] rules) => new()
    {
        Id = id,
        Port = 0,
        DefaultAction = ForwardAction.To(targetGroupId),
        Rules = [.. rules],
    };

    public static TargetGroupConfig Group(string id, params Backend[] backends) => new()
    {
        Id = id,
        Targets = [.. backends.Select(b => b.Target())],
    };
}
