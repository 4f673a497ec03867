using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
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
        services.AddSingleton<EcsRegistry>();
        return services;
    }
}
