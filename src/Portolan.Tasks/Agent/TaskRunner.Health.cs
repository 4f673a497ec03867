using Portolan.Core.Ecs.Model;

namespace Portolan.Tasks.Agent;

internal sealed partial class TaskRunner
{
    /// <summary>
    /// Writes container health and the task's health when they changed: UNHEALTHY if an essential container is, HEALTHY
    /// when every essential container with a health check is, UNKNOWN otherwise (also when none has a check).
    /// </summary>
    private async Task<TaskRecord> SyncHealthAsync(TaskRecord task)
    {
        var checkedEssential = _containers.Where(c => c.Definition.Essential && c.Health is not null).ToList();
        var health = checkedEssential.Count == 0 ? EcsHealth.Unknown
            : checkedEssential.Any(c => c.Health!.Status == EcsHealth.Unhealthy) ? EcsHealth.Unhealthy
            : checkedEssential.All(c => c.Health!.Status == EcsHealth.Healthy) ? EcsHealth.Healthy
            : EcsHealth.Unknown;
        var changed = health != task.HealthStatus || task.Containers.Any(c =>
            _containers.FirstOrDefault(r => r.Name == c.Name)?.Health is { } m && m.Status != c.HealthStatus);
        if (!changed) return task;
        var now = Now;
        var updated = await UpdateAsync(t => t with
        {
            HealthStatus = health,
            HealthyAt = t.HealthyAt ?? (health == EcsHealth.Healthy ? now : null),
            Containers = t.Containers.Select(c => _containers.FirstOrDefault(r => r.Name == c.Name)?.Health is { } m ? c with { HealthStatus = m.Status } : c).ToList(),
        });
        if (updated.Registrations is { DeregisteredAt: null } registrations && health != task.HealthStatus && health != EcsHealth.Unknown)
            await _ctx.Registrar.ReportHealthAsync(registrations, health, CancellationToken.None);
        return updated;
    }

    /// <summary>
    /// Registers a RUNNING service task in its service registry and target groups once it is ready for traffic: at
    /// once without container health checks, when first HEALTHY with them (so no client reaches a process still
    /// starting).
    /// </summary>
    private async Task SyncRegistrationAsync(TaskRecord task)
    {
        if (task.ServiceName is null || task.Registrations is not null || task.LastStatus != EcsTaskStatus.Running || Now < _retryRegistrationAt) return;
        var hasChecks = _containers.Any(c => c.Definition.Essential && c.Health is not null);
        if (hasChecks && task.HealthStatus != EcsHealth.Healthy) return;
        var svc = _ctx.Ecs.Snapshots.Current.Ecs.Service(task.Cluster, task.ServiceName)?.Record;
        if (svc is null || (svc.ServiceRegistries.Count == 0 && svc.LoadBalancers.Count == 0))
        {
            await UpdateAsync(t => t with { Registrations = new TaskRegistrations() });
            return;
        }
        try
        {
            var registrations = await _ctx.Registrar.RegisterAsync(task, svc, CancellationToken.None);
            await UpdateAsync(t => t with { Registrations = registrations });
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogRegistrationFailed(_ctx.Logger, _taskId, e.Message);
            _retryRegistrationAt = Now + RegistrationRetry;
        }
    }
}
