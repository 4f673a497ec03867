using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;

namespace Portolan.Core.Cluster;

public static class ClusterServiceCollectionExtensions
{
    /// <summary>
    /// Registers this node's <see cref="IClusterMembership"/> on the store the caller registered. The node joins
    /// when the host starts (register it after the services whose addresses it advertises) and leaves, revoking
    /// its lease, when the host stops.
    /// </summary>
    public static IServiceCollection AddPortolanCluster(this IServiceCollection services, Action<ClusterOptions> configure)
    {
        services.AddOptions<ClusterOptions>().Configure(configure);
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<ClusterMembership>();
        services.AddSingleton<IClusterMembership>(sp => sp.GetRequiredService<ClusterMembership>());
        services.AddHostedService<MembershipService>();
        return services;
    }

    private sealed class MembershipService(ClusterMembership membership) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken) => membership.StartAsync(cancellationToken);
        public Task StopAsync(CancellationToken cancellationToken) => membership.DisposeAsync().AsTask();
    }
}
