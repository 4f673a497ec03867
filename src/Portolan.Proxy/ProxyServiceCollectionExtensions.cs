using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Portolan.Proxy.Configuration;
using Portolan.Proxy.Observability;

namespace Portolan.Proxy;

public static class ProxyServiceCollectionExtensions
{
    /// <summary>
    /// Adds the load balancer data plane: it serves whatever the registered <see cref="IProxyConfigSource"/>
    /// publishes (register one; the server's comes from the registry snapshot). Resolve
    /// <see cref="IProxyListeners"/> for bound ports and <see cref="IProxyStatistics"/> for counters.
    /// </summary>
    public static IServiceCollection AddPortolanProxy(this IServiceCollection services, Action<ProxyOptions>? configure = null)
    {
        services.AddOptions<ProxyOptions>().Configure(o => configure?.Invoke(o));
        services.AddHttpForwarder();
        services.AddMetrics();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<AccessLog>();
        services.TryAddSingleton<ProxyRuntime>();
        services.TryAddSingleton<IProxyStatistics>(sp => sp.GetRequiredService<ProxyRuntime>());
        services.TryAddSingleton<IProxyListeners>(sp => sp.GetRequiredService<ProxyRuntime>());
        services.AddHostedService(sp => sp.GetRequiredService<ProxyRuntime>());
        return services;
    }
}
