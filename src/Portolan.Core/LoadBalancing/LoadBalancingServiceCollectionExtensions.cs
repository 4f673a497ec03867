using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Portolan.Core.LoadBalancing;

public static class LoadBalancingServiceCollectionExtensions
{
    /// <summary>
    /// Registers the <see cref="LoadBalancingRegistry"/> (needs <c>AddPortolanRegistry</c> for the store, snapshot and
    /// options). Safe to call more than once (the API, the data plane and the health engine may each ask for it).
    /// </summary>
    public static IServiceCollection AddLoadBalancingRegistry(this IServiceCollection services, Action<LoadBalancingOptions>? configure = null)
    {
        var options = services.AddOptions<LoadBalancingOptions>();
        if (configure is not null) options.Configure(configure);
        services.TryAddSingleton<LoadBalancingRegistry>();
        return services;
    }
}
