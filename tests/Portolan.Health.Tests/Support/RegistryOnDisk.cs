using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Portolan.Core.Discovery;
using Portolan.Core.Registry;
using Portolan.Core.Snapshots;
using Portolan.Storage;
using Portolan.Storage.Sqlite;
using Portolan.Testing;

namespace Portolan.Health.Tests.Support;

/// <summary>The real registry on a SQLite store in a temp directory, with its snapshot feed running.</summary>
internal sealed class RegistryOnDisk : IAsyncDisposable
{
    private readonly TempDirectory _dir = new("portolan-health");
    private IStore? _store;
    private SnapshotFeed? _feed;

    public DiscoveryRegistry Registry { get; private set; } = null!;
    public SnapshotFeed Feed => _feed!;
    public RegistrySnapshot Snapshot => Feed.Current;

    public static async Task<RegistryOnDisk> StartAsync(bool strictAws = false)
    {
        var r = new RegistryOnDisk();
        r._store = await SqliteStore.OpenAsync(Path.Combine(r._dir.Path, "portolan.db"));
        r._feed = new SnapshotFeed(r._store, NullLogger<SnapshotFeed>.Instance);
        await r._feed.StartAsync(CancellationToken.None);
        r.Registry = r.RegistryWith(strictAws);
        return r;
    }

    /// <summary>Another registry object on the same store, e.g. as a server restarted with --strict-aws sees it.</summary>
    public DiscoveryRegistry RegistryWith(bool strictAws) =>
        new(_store!, _feed!, Options.Create(new RegistryOptions { StrictAws = strictAws }), TimeProvider.System);

    public async Task<string> NamespaceAsync(NamespaceType type, string name)
    {
        await Registry.CreateNamespaceAsync(new CreateNamespaceCommand(type, name, Vpc: type == NamespaceType.DnsPrivate ? "vpc-1" : null));
        return Snapshot.FindNamespaceByName(name)!.Id;
    }

    public async Task<string> ServiceAsync(string namespaceId, string name, HealthCheckConfig? check, bool dns = true, HealthCheckCustomConfig? custom = null)
    {
        var service = await Registry.CreateServiceAsync(new CreateServiceCommand(name, namespaceId,
            DnsConfig: dns ? new DnsConfig { DnsRecords = [new DnsRecord(RecordType.A, 0)] } : null, HealthCheckConfig: check, HealthCheckCustomConfig: custom));
        return service.Id;
    }

    public Task RegisterAsync(string serviceId, string instanceId, params (string Key, string Value)[] attributes) =>
        Registry.RegisterInstanceAsync(new RegisterInstanceCommand(serviceId, instanceId, attributes.ToDictionary(a => a.Key, a => a.Value)));

    public InstanceHealth? HealthOf(string serviceId, string instanceId) =>
        Snapshot.Services[serviceId].Health.GetValueOrDefault(instanceId);

    public async ValueTask DisposeAsync()
    {
        if (_feed is not null) await _feed.DisposeAsync();
        if (_store is not null) await _store.DisposeAsync();
        _dir.Dispose();
    }
}
