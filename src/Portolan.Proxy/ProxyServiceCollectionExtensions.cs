using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Portolan.Core.LoadBalancing;
using Portolan.Proxy.Configuration;
using Portolan.Proxy.FromRegistry;
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
        // YARP's forwarder logs two Information lines per request ("Proxying to …", "Received HTTP/2.0 response …"):
        // a formatted, written log line per request on the hot path. Requests go to the access log; its warnings
        // (forwarding errors) stay.
        services.Configure<LoggerFilterOptions>(o => o.AddFilter("Yarp.ReverseProxy.Forwarder", LogLevel.Warning));
        services.AddMetrics();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<AccessLog>();
        services.TryAddSingleton<ProxyRuntime>();
        services.TryAddSingleton<IProxyStatistics>(sp => sp.GetRequiredService<ProxyRuntime>());
        services.TryAddSingleton<IProxyListeners>(sp => sp.GetRequiredService<ProxyRuntime>());
        services.AddHostedService(sp => sp.GetRequiredService<ProxyRuntime>());
        return services;
    }

    /// <summary>
    /// Adds the data plane fed from the registry: every listener of every load balancer binds on
    /// <see cref="ProxyOptions.ListenAddress"/> and forwards to its target groups' targets as the registry (and the
    /// health engine through it) says; load balancers whose listeners cannot bind are reported <c>active_impaired</c>.
    /// Needs <c>AddPortolanRegistry</c> first.
    /// </summary>
    public static IServiceCollection AddPortolanProxyFromRegistry(this IServiceCollection services, Action<ProxyOptions>? configure = null)
    {
        services.AddLoadBalancingRegistry();
        services.TryAddSingleton<IProxyConfigSource, RegistryProxyConfigSource>();
        services.AddPortolanProxy(configure);
        services.AddHostedService<LoadBalancerStateReporter>();
        return services;
    }
}
