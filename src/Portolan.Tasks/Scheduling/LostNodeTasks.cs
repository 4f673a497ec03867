using Microsoft.Extensions.Logging;
using Portolan.Core.Ecs.Model;
using Portolan.Core.Ecs.Registry;
using Portolan.Core.Snapshots;
using Portolan.Tasks.Wiring;

namespace Portolan.Tasks.Scheduling;

/// <summary>
/// The leader's answer to a node leaving the cluster (its lease expired: a crash, a partition): nothing runs that
/// node's tasks any more, so they are stopped as any stop goes — out of Cloud Map and their target groups first, then
/// recorded STOPPED (stop code <c>TerminationNotice</c>) — and the scheduler's next pass replaces a service's tasks on
/// the live nodes. A single node never loses one (see <see cref="IContainerInstances.IsLost"/>).
/// </summary>
internal sealed partial class LostNodeTasks(EcsRegistry ecs, TaskRegistrar registrar, ILogger<LostNodeTasks> logger)
{
    /// <summary>Stops the tasks in <paramref name="snapshot"/> whose container instance is lost; returns how many.</summary>
    public async Task<int> StopAsync(RegistrySnapshot snapshot, CancellationToken ct)
    {
        List<(string TaskId, string Reason)>? lost = null;
        foreach (var stored in snapshot.Ecs.Tasks.Values)
        {
            var t = stored.Record;
            if (t.IsStopped || !ecs.Instances.IsLost(t.NodeId)) continue;
            if (t.Registrations is { DeregisteredAt: null } registrations && (registrations.CloudMapInstanceId is not null || registrations.Targets.Count > 0))
            {
                try
                {
                    await registrar.DeregisterAsync(t, registrations, ct);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    // Still registered: it is recorded STOPPED only once it is out, on a later pass.
                    LogDeregistrationFailed(logger, t.Id, e.Message);
                    continue;
                }
            }

            (lost ??= []).Add((t.Id, Reason(t)));
        }

        if (lost is null) return 0;
        var stopped = await ecs.StopLostTasksAsync(lost, ct);
        foreach (var group in stopped.GroupBy(t => t.NodeId)) LogStopped(logger, group.Count(), Name(group.Key));
        return stopped.Count;
    }

    /// <summary>In the words ECS uses for a task whose host went away ("Host EC2 (instance i-…) terminated.").</summary>
    private string Reason(TaskRecord t) => ecs.Instances.NodeName(t.NodeId) is { } name
        ? $"Host {name} (container instance {t.NodeId}) left the cluster."
        : $"Host (container instance {t.NodeId}) left the cluster.";

    private string Name(string instanceId) => ecs.Instances.NodeName(instanceId) ?? instanceId;

    [LoggerMessage(40, LogLevel.Warning, "Stopped {Count} task(s) of node {Node}: it left the cluster; their services replace them on live nodes.")]
    private static partial void LogStopped(ILogger logger, int count, string node);

    [LoggerMessage(41, LogLevel.Warning, "Deregistering task {TaskId} of a lost node failed (retrying): {Reason}")]
    private static partial void LogDeregistrationFailed(ILogger logger, string taskId, string reason);
}
