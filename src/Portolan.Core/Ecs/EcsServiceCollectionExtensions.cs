using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Portolan.Core.Cluster;
using Portolan.Core.Ecs.Registry;

namespace Portolan.Core.Ecs;

public static class EcsServiceCollectionExtensions
{
    /// <summary>
    /// Registers the ECS registry (needs <c>AddPortolanRegistry</c>). Target groups are checked through the
    /// <see cref="ITargetGroupCatalog"/> registered by the load balancing model, if any.
    /// </summary>
    public static IServiceCollection AddEcsRegistry(this IServiceCollection services, Action<EcsOptions>? configure = null)
    {
        services.AddOptions<EcsOptions>().Configure(o => configure?.Invoke(o));
        services.TryAddSingleton<ITargetGroupCatalog, LoadBalancingTargetGroupCatalog>();
        services.TryAddSingleton<IContainerInstances, LocalContainerInstances>();
        services.AddSingleton<EcsRegistry>();
        return services;
    }

    /// <summary>
    /// Places tasks across the live members of a cluster on a shared store (needs <c>AddPortolanCluster</c>): each node
    /// advertises its container instance id in its node meta, and is an instance while its lease lives.
    /// </summary>
    public static IServiceCollection AddEcsClusterPlacement(this IServiceCollection services)
    {
        services.RemoveAll<IContainerInstances>();
        services.AddSingleton<IContainerInstances, ClusterContainerInstances>();
        services.AddSingleton<IConfigureOptions<ClusterOptions>>(sp => new ConfigureOptions<ClusterOptions>(cluster =>
            cluster.Meta[ClusterContainerInstances.MetaKey] = sp.GetRequiredService<IOptions<EcsOptions>>().Value.NodeId));
        return services;
    }
}
