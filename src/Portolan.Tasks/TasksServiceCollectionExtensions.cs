using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Portolan.Core.Ecs;
using Portolan.Tasks.Agent;
using Portolan.Tasks.Runtime;
using Portolan.Tasks.Scheduling;
using Portolan.Tasks.Wiring;

namespace Portolan.Tasks;

public static class TasksServiceCollectionExtensions
{
    /// <summary>
    /// Runs ECS tasks on this node as local processes and registers them where their service says (needs
    /// <c>AddEcsRegistry</c>). The node's id (its container instance) is kept in <c>ecs-node-id</c> in the data directory,
    /// so tasks found after a restart are known to be this node's.
    /// </summary>
    public static IServiceCollection AddPortolanTasks(this IServiceCollection services, Action<TasksOptions>? configure = null)
    {
        services.AddOptions<TasksOptions>().Configure(o => configure?.Invoke(o));
        services.AddSingleton<IConfigureOptions<EcsOptions>>(sp => new ConfigureOptions<EcsOptions>(ecs =>
            ecs.NodeId = NodeIdentity.LoadOrCreate(sp.GetRequiredService<IOptions<TasksOptions>>().Value.DataDir)));
        // Load balancer targets through the ELBv2 model; the scheduler only where the cluster says this node leads.
        services.TryAddSingleton<ITargetRegistrar, LoadBalancingTargetRegistrar>();
        services.TryAddSingleton<ISchedulerGate>(sp => sp.GetService<Core.Cluster.IClusterMembership>() is { } membership
            ? new ClusterLeaderGate(membership)
            : new AlwaysScheduler());
        services.AddSingleton<PortAllocator>();
        services.AddSingleton(sp => new TaskLogs(sp.GetRequiredService<IOptions<TasksOptions>>().Value));
        services.AddSingleton<ITaskLogSource>(sp => sp.GetRequiredService<TaskLogs>());
        services.AddSingleton<TaskRegistrar>();
        services.AddSingleton<LostNodeTasks>();
        services.AddHostedService<TaskAgent>();
        services.AddHostedService<ServiceScheduler>();
        return services;
    }
}
