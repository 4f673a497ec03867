using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Portolan.Core.Ecs.Model;
using Portolan.Core.Ecs.Registry;
using Portolan.Core.Snapshots;

namespace Portolan.Tasks.Scheduling;

/// <summary>
/// The ECS service scheduler: on every change of the registry (and every <see cref="TasksOptions.SchedulerTick"/> for
/// its timers) it plans each ACTIVE or DRAINING service with <see cref="ServicePlanner"/> and carries the plan out
/// through the <see cref="EcsRegistry"/>: tasks to stop, tasks to start, deployments and events. Runs only while
/// <see cref="ISchedulerGate.IsScheduler"/>; it also stops the tasks of nodes that left the cluster
/// (<see cref="LostNodeTasks"/>) and forgets STOPPED tasks and INACTIVE services after their retention.
/// </summary>
internal sealed partial class ServiceScheduler(EcsRegistry ecs, ISchedulerGate gate, Wiring.ITargetRegistrar targets, LostNodeTasks lostNodes, IOptions<TasksOptions> options,
    TimeProvider time, ILogger<ServiceScheduler> logger) : BackgroundService
{
    private static readonly TimeSpan PruneInterval = TimeSpan.FromMinutes(1);

    private readonly TasksOptions _options = options.Value;
    private readonly Dictionary<string, ServiceState> _states = new(StringComparer.Ordinal);
    private DateTimeOffset _nextPrune;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Stops that happened before this start (another run of Portolan saw them) are not counted again.
        foreach (var t in ecs.Snapshots.Current.Ecs.Tasks.Values.Select(t => t.Record).Where(t => !t.WantsRunning && t.ServiceName is not null))
            State(t.Cluster, t.ServiceName!).Accounted.Add(t.Id);

        while (!stoppingToken.IsCancellationRequested)
        {
            var revision = ecs.Snapshots.Current.Revision;
            if (gate.IsScheduler)
            {
                await StopLostTasksAsync(stoppingToken);
                await PassAsync(stoppingToken);
                await PruneAsync(stoppingToken);
            }
            using var tick = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
            tick.CancelAfter(_options.SchedulerTick);
            try
            {
                await ecs.Snapshots.WaitForChangeAsync(revision, tick.Token);
            }
            catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
            {
                // The tick: timers (backoff, grace periods, unmonitored tasks turning healthy) may have expired.
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private async Task PassAsync(CancellationToken ct)
    {
        var snapshot = ecs.Snapshots.Current;
        var tasksByService = snapshot.Ecs.Tasks.Values.Select(t => t.Record).Where(t => t.ServiceName is not null)
            .ToLookup(t => (t.Cluster, t.ServiceName!));
        foreach (var stored in snapshot.Ecs.Services.Values)
        {
            var svc = stored.Record;
            if (svc.Status == EcsStatus.Inactive) continue;
            try
            {
                var plan = ServicePlanner.Plan(svc, tasksByService[(svc.Cluster, svc.Name)].ToList(),
                    arn => snapshot.Ecs.TaskDefinitionByArn(arn)?.Record, time.GetUtcNow(), _options, State(svc.Cluster, svc.Name),
                    targets.IsAvailable ? t => t.Registrations is { Targets.Count: > 0 } r && r.Targets.All(x => targets.IsHealthy(snapshot, x.TargetGroupArn, x.Id, x.Port)) : null,
                    targets.IsAvailable ? t => UnhealthyTarget(snapshot, t) : null);
                if (!plan.IsEmpty) await ApplyAsync(svc, plan, ct);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogPassFailed(logger, e, svc.Name);
            }
        }
    }

    /// <summary>A target group (with the port, and its reason) that found a registered, not deregistering, task unhealthy.</summary>
    private (string, int, string)? UnhealthyTarget(RegistrySnapshot snapshot, TaskRecord task)
    {
        if (task.Registrations is not { DeregisteredAt: null } r) return null;
        foreach (var x in r.Targets)
        {
            if (targets.UnhealthyReason(snapshot, x.TargetGroupArn, x.Id, x.Port) is { } reason) return (x.TargetGroupArn, x.Port, reason);
        }
        return null;
    }

    private async Task ApplyAsync(EcsServiceRecord svc, ServicePlan plan, CancellationToken ct)
    {
        if (plan.Stops.Count > 0) await ecs.StopTasksAsync(plan.Stops, ct);
        foreach (var (deploymentId, count) in plan.Launches)
        {
            var started = await ecs.LaunchServiceTasksAsync(svc.Cluster, svc.Name, deploymentId, count, ct);
            if (started.Count > 0) plan.Events.Add(ServicePlanner.Started(started));
        }
        await ecs.UpdateServiceStateAsync(svc.Cluster, svc.Name, current =>
        {
            var next = current;
            if (plan.Deployments is not null && current.Primary.Id == plan.ExpectedPrimary)
                next = next with { Deployments = plan.Deployments, TaskDefinitionArn = plan.TaskDefinitionArn ?? next.TaskDefinitionArn };
            if (plan.Deactivate && current.Status == EcsStatus.Draining) next = next with { Status = EcsStatus.Inactive };
            return next;
        }, plan.Events, ct);
    }

    /// <summary>Tasks of nodes that left the cluster are stopped first, so that this pass already replaces them.</summary>
    private async Task StopLostTasksAsync(CancellationToken ct)
    {
        try
        {
            await lostNodes.StopAsync(ecs.Snapshots.Current, ct);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogPassFailed(logger, e, "(tasks of lost nodes)");
        }
    }

    private async Task PruneAsync(CancellationToken ct)
    {
        var now = time.GetUtcNow();
        if (now < _nextPrune) return;
        _nextPrune = now + PruneInterval;
        try
        {
            await ecs.PruneAsync(ct);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogPassFailed(logger, e, "(prune)");
        }
    }

    private ServiceState State(string cluster, string service)
    {
        var key = cluster + "/" + service;
        if (!_states.TryGetValue(key, out var state)) _states[key] = state = new ServiceState();
        return state;
    }

    [LoggerMessage(30, LogLevel.Error, "Scheduling service {Service} failed; retrying on the next pass.")]
    private static partial void LogPassFailed(ILogger logger, Exception exception, string service);
}
