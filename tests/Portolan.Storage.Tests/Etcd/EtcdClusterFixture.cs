using Etcdserverpb;
using Grpc.Net.Client;
using Portolan.Storage.Etcd;
using Portolan.Testing;

namespace Portolan.Storage.Tests.Etcd;

/// <summary>
/// One 3-member etcd cluster shared by every test of the <c>etcd</c> collection (they run one after another, so
/// each test's revisions are its own). Tests isolate their keys with a namespace of their own.
/// </summary>
public sealed class EtcdClusterFixture : IAsyncLifetime
{
    private GrpcChannel? _admin;

    public EtcdCluster Cluster { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Cluster = await EtcdCluster.StartAsync(3);
        _admin = GrpcChannel.ForAddress($"http://{Cluster.ClientEndpoints[0]}");
    }

    public async Task DisposeAsync()
    {
        _admin?.Dispose();
        if (Cluster is not null) await Cluster.DisposeAsync();
    }

    /// <summary>Options for a store in a namespace nobody else uses.</summary>
    public EtcdStoreOptions NewStoreOptions(string? ns = null) => new()
    {
        Endpoints = Cluster.ClientEndpoints.Select(e => new Uri($"http://{e}")).ToArray(),
        Namespace = ns ?? $"/test-{Guid.NewGuid():N}",
    };

    /// <summary>
    /// Revokes every lease on the cluster, so a lease a test left behind can't expire (and write) during the next
    /// test. Only this collection uses the cluster, and only one test at a time.
    /// </summary>
    public async Task RevokeAllLeasesAsync()
    {
        var leases = new Lease.LeaseClient(_admin!);
        foreach (var lease in (await leases.LeaseLeasesAsync(new LeaseLeasesRequest())).Leases)
        {
            await leases.LeaseRevokeAsync(new LeaseRevokeRequest { ID = lease.ID });
        }
    }
}

[CollectionDefinition(Name)]
public sealed class EtcdCollection : ICollectionFixture<EtcdClusterFixture>
{
    public const string Name = "etcd";
}
