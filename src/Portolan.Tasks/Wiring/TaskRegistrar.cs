using Microsoft.Extensions.Logging;
using Portolan.Core.Discovery;
using Portolan.Core.Ecs.Model;
using Portolan.Core.Ecs.Registry;
using Portolan.Core.Ids;
using Portolan.Core.Registry;
using Portolan.Core.Snapshots;

namespace Portolan.Tasks.Wiring;

/// <summary>
/// Puts a service's task where clients find it, as ECS does once a task runs: an instance in the service registry
/// (Cloud Map, with ECS's attributes) and a target per <c>loadBalancers</c> entry, each at the host port its
/// container port got. Taking it out is the first step of a stop; <see cref="IsDrained"/> then says when DNS caches
/// (the records' TTL) and the load balancers (deregistration delay, ended early when idle) are done with it.
/// </summary>
internal sealed partial class TaskRegistrar(DiscoveryRegistry discovery, EcsRegistry ecs, ITargetRegistrar targets, Microsoft.Extensions.Options.IOptions<TasksOptions> tasksOptions,
    ILogger<TaskRegistrar> logger)
{
    private readonly TasksOptions options = tasksOptions.Value;

    /// <summary>Registers the task; returns where it is registered (also when only part of it could be).</summary>
    public async Task<TaskRegistrations> RegisterAsync(TaskRecord task, EcsServiceRecord svc, CancellationToken ct)
    {
        var snapshot = ecs.Snapshots.Current;
        var registrations = new TaskRegistrations();
        var events = new List<string>();
        if (svc.ServiceRegistries.Count > 0 && svc.ServiceRegistries[0] is var registry && Arns.ServiceIdFrom(registry.RegistryArn) is { } serviceId
            && snapshot.Services.TryGetValue(serviceId, out var cloudMapService))
        {
            var attributes = InstanceAttributes(task, svc, registry, cloudMapService.Record, snapshot);
            await discovery.RegisterInstanceAsync(new RegisterInstanceCommand(serviceId, task.Id, attributes), ct);
            registrations = registrations with { CloudMapServiceId = serviceId, CloudMapInstanceId = task.Id };
        }
        if (targets.IsAvailable)
        {
            var registered = new List<TargetRegistration>();
            foreach (var lb in svc.LoadBalancers)
            {
                if (lb.TargetGroupArn is null || task.HostPort(lb.ContainerName, lb.ContainerPort) is not { } port) continue;
                var id = targets.TargetId(snapshot, lb.TargetGroupArn, options.HostAddress);
                await targets.RegisterAsync(lb.TargetGroupArn, id, port, ct);
                registered.Add(new TargetRegistration(lb.TargetGroupArn, id, port));
                events.Add($"registered 1 targets in (target-group {lb.TargetGroupArn})");
            }
            registrations = registrations with { Targets = registered };
        }
        if (events.Count > 0) await ecs.UpdateServiceStateAsync(svc.Cluster, svc.Name, _ => null, events, ct);
        return registrations;
    }

    /// <summary>Takes the task out of the service registry and its target groups (deregistering what is already gone is fine).</summary>
    public async Task DeregisterAsync(TaskRecord task, TaskRegistrations registrations, CancellationToken ct)
    {
        if (registrations.CloudMapServiceId is { } serviceId && registrations.CloudMapInstanceId is { } instanceId)
        {
            try
            {
                await discovery.DeregisterInstanceAsync(serviceId, instanceId, ct);
            }
            catch (RegistryException e) when (e.Code is ErrorCodes.InstanceNotFound or ErrorCodes.ServiceNotFound)
            {
                // Someone deregistered it (or deleted the Cloud Map service) already.
            }
        }
        var events = new List<string>();
        foreach (var target in registrations.Targets)
        {
            await targets.DeregisterAsync(target.TargetGroupArn, target.Id, target.Port, ct);
            events.Add($"deregistered 1 targets in (target-group {target.TargetGroupArn})");
        }
        if (task.ServiceName is not null && registrations.Targets.Count > 0)
        {
            events.Insert(0, "has begun draining connections on 1 tasks.");
            await ecs.UpdateServiceStateAsync(task.Cluster, task.ServiceName, _ => null, events, ct);
        }
    }

    /// <summary>
    /// True when clients are done with a deregistered task: its Cloud Map records' TTL has passed since it left DNS
    /// (resolvers may cache the answer that long) and every target group has finished draining it.
    /// </summary>
    public bool IsDrained(TaskRegistrations registrations, DateTimeOffset now)
    {
        var snapshot = ecs.Snapshots.Current;
        if (registrations.CloudMapServiceId is { } serviceId && registrations.DeregisteredAt is { } at
            && snapshot.Services.TryGetValue(serviceId, out var svc) && svc.Record.DnsConfig is { } dns && dns.DnsRecords.Length > 0
            && now < at + TimeSpan.FromSeconds(dns.DnsRecords.Max(r => r.TTL)))
        {
            return false;
        }
        return registrations.Targets.All(t => targets.IsDrained(snapshot, t.TargetGroupArn, t.Id, t.Port));
    }

    /// <summary>Reports a task's container health to a Cloud Map service with custom health checks, as ECS does.</summary>
    public async Task ReportHealthAsync(TaskRegistrations registrations, string taskHealth, CancellationToken ct)
    {
        if (registrations.CloudMapServiceId is not { } serviceId || registrations.CloudMapInstanceId is not { } instanceId) return;
        if (!ecs.Snapshots.Current.Services.TryGetValue(serviceId, out var svc) || svc.Record.HealthCheckCustomConfig is null) return;
        var status = taskHealth == EcsHealth.Unhealthy ? Core.Discovery.HealthStatus.Unhealthy : Core.Discovery.HealthStatus.Healthy;
        try
        {
            await discovery.UpdateInstanceCustomHealthStatusAsync(serviceId, instanceId, status, ct);
        }
        catch (RegistryException e)
        {
            LogHealthReportFailed(logger, instanceId, e.Message);
        }
    }

    /// <summary>The attributes ECS gives a task's Cloud Map instance.</summary>
    private Dictionary<string, string> InstanceAttributes(TaskRecord task, EcsServiceRecord svc, ServiceRegistrySpec registry, ServiceRecord cloudMap, RegistrySnapshot snapshot)
    {
        var region = ecs.Options.Region;
        var attributes = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [ReservedAttributes.InstanceIpv4] = options.HostAddress,
            ["AVAILABILITY_ZONE"] = region + "a",
            ["REGION"] = region,
            ["ECS_CLUSTER_NAME"] = task.Cluster,
            ["ECS_SERVICE_NAME"] = svc.Name,
            ["ECS_TASK_DEFINITION_FAMILY"] = snapshot.Ecs.TaskDefinitionByArn(task.TaskDefinitionArn)?.Record.Family ?? "",
        };
        var port = registry.ContainerName is { } name && registry.ContainerPort is { } containerPort ? task.HostPort(name, containerPort) : registry.Port;
        if (port is { } p) attributes[ReservedAttributes.InstancePort] = p.ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (cloudMap.HealthCheckCustomConfig is not null) attributes[ReservedAttributes.InitHealthStatus] = task.HealthStatus == EcsHealth.Unhealthy ? "UNHEALTHY" : "HEALTHY";
        return attributes;
    }

    [LoggerMessage(1, LogLevel.Warning, "Could not report the health of Cloud Map instance {InstanceId}: {Reason}")]
    private static partial void LogHealthReportFailed(ILogger logger, string instanceId, string reason);
}
