using System.Net;
using DnsClient;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Portolan.Core.Discovery;
using Portolan.Core.Registry;
using Portolan.Core.Snapshots;
using Portolan.Dns.Server;
using Portolan.Hosting;
using Portolan.Testing;

namespace Portolan.Dns.Tests.Support;

/// <summary>
/// The real Portolan host in-process (API edge, SQLite registry, DNS) on 127.0.0.1 with ephemeral ports. Tests
/// write through the real <see cref="DiscoveryRegistry"/> and read with dig and DnsClient. Each test uses its
/// own namespace names, so one host serves a whole collection.
/// </summary>
public sealed class DnsHost : IAsyncLifetime
{
    private readonly TempDirectory _dataDir = new("portolan-dns");
    private readonly Action<DnsServerOptions>? _configure;
    private PortolanHost? _host;

    public DnsHost()
        : this(null)
    {
    }

    internal DnsHost(Action<DnsServerOptions>? configure) => _configure = configure;

    public PortolanHost Host => _host ?? throw new InvalidOperationException("Not started.");
    public DiscoveryRegistry Registry => Host.Services.GetRequiredService<DiscoveryRegistry>();
    public IPEndPoint EndPoint => Host.DnsUdpEndPoint ?? throw new InvalidOperationException("DNS is not served.");
    public int Port => EndPoint.Port;

    public async Task InitializeAsync()
    {
        var options = new PortolanOptions
        {
            DataDir = _dataDir.Path,
            ApiEndpoints = [new HostPort("127.0.0.1", 0)],
            DnsEndpoint = new HostPort("127.0.0.1", 0),
        };
        _host = await PortolanHost.StartAsync(options, services =>
        {
            if (_configure is not null) services.Configure(_configure);
        }, logging => logging.ClearProviders().SetMinimumLevel(LogLevel.Warning));
    }

    public async Task DisposeAsync()
    {
        if (_host is not null) await _host.DisposeAsync();
        _dataDir.Dispose();
    }

    /// <summary>A private DNS namespace; returns its id.</summary>
    public async Task<string> NamespaceAsync(string name, long soaTtl = 15)
    {
        await Registry.CreateNamespaceAsync(new CreateNamespaceCommand(NamespaceType.DnsPrivate, name, Vpc: "vpc-1", SoaTtl: soaTtl));
        return Host.Services.GetRequiredService<ISnapshotSource>().Current.FindNamespaceByName(name)!.Id;
    }

    public async Task<string> ServiceAsync(string namespaceId, string name, RoutingPolicy policy, bool customHealth, params (RecordType Type, long Ttl)[] records)
    {
        var service = await Registry.CreateServiceAsync(new CreateServiceCommand(name, namespaceId,
            DnsConfig: new DnsConfig { RoutingPolicy = policy, DnsRecords = [.. records.Select(r => new DnsRecord(r.Type, r.Ttl))] },
            HealthCheckCustomConfig: customHealth ? new HealthCheckCustomConfig() : null));
        return service.Id;
    }

    public Task RegisterAsync(string serviceId, string instanceId, params (string Key, string Value)[] attributes) =>
        Registry.RegisterInstanceAsync(new RegisterInstanceCommand(serviceId, instanceId, attributes.ToDictionary(a => a.Key, a => a.Value)));

    /// <summary>A DnsClient resolver aimed at the server, with no cache and no retries.</summary>
    public LookupClient Client(bool tcpOnly = false, bool tcpFallback = true) =>
        new(new LookupClientOptions(new NameServer(EndPoint))
        {
            UseCache = false,
            Recursion = false,
            Retries = 1,
            Timeout = TimeSpan.FromSeconds(5),
            UseTcpOnly = tcpOnly,
            UseTcpFallback = tcpFallback,
            ThrowDnsErrors = false,
            ContinueOnDnsError = false,
            ContinueOnEmptyResponse = false,
        });

    /// <summary>
    /// Polls <paramref name="condition"/> until it holds. Answers follow the registry asynchronously, so tests
    /// wait for the state they expect rather than sleep a guessed time; the deadline only bounds a broken run.
    /// </summary>
    public static async Task EventuallyAsync(Func<Task<bool>> condition, string what)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline) Assert.Fail($"Timed out waiting for: {what}");
            await Task.Delay(10);
        }
    }
}
