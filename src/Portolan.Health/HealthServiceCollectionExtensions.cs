using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Portolan.Health.CloudMap;
using Portolan.Health.Ownership;
using Portolan.Health.Probing;
using Portolan.Health.Reporting;
using Portolan.Health.Scheduling;
using Portolan.Health.Subjects;
using Portolan.Health.TargetGroups;

namespace Portolan.Health;

public static class HealthServiceCollectionExtensions
{
    /// <summary>
    /// Adds the health engine: probes every subject the registered <see cref="IHealthSubjectAdapter"/>s list (Cloud Map
    /// instances with HealthCheckConfig, load-balancer targets; both registries must be registered) and writes threshold crossings through the
    /// registry. Register it after the registry so it starts once the snapshot is loaded. Replace
    /// <see cref="IHealthCheckOwnership"/> to share checks between cluster nodes; read <see cref="HealthView"/> for the
    /// live state and recent probes.
    /// </summary>
    public static IServiceCollection AddPortolanHealth(this IServiceCollection services, Action<HealthOptions>? configure = null)
    {
        services.AddOptions<HealthOptions>().Configure(o => configure?.Invoke(o));
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<HealthView>();
        services.TryAddSingleton<IHealthCheckOwnership, AllSubjects>();
        services.TryAddSingleton<IProber>(sp => new NetworkProber(sp.GetRequiredService<TimeProvider>()));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHealthSubjectAdapter, CloudMapHealthChecks>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHealthSubjectAdapter, TargetGroupHealthChecks>());
        services.TryAddSingleton<Core.LoadBalancing.IHealthCheckProgress, TargetGroupHealthProgress>();
        services.TryAddSingleton<HealthScheduler>();
        services.AddHostedService(sp => sp.GetRequiredService<HealthScheduler>());
        return services;
    }
}
