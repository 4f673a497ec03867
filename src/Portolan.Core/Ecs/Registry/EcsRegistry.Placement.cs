using Portolan.Core.Ecs.Model;
using Portolan.Core.Ecs.Snapshots;
using Portolan.Core.Registry;
using Portolan.Storage;

namespace Portolan.Core.Ecs.Registry;

public sealed partial class EcsRegistry
{
    /// <summary>
    /// Chooses a live container instance for each of <paramref name="count"/> new tasks of <paramref name="group"/>
    /// (<c>service:NAME</c> or a RunTask group), as ECS's <c>spread</c> by <c>instanceId</c> does: each goes to the
    /// instance running the fewest active tasks of that group, ties to the one running the fewest tasks in all, then
    /// by id (so every scheduler decides alike). Empty when no instance is live.
    /// </summary>
    private string[] Place(EcsState s, string cluster, string group, int count)
    {
        var live = _instances.Live;
        if (live.Count == 0 || count < 1) return [];
        if (live.Count == 1) return Enumerable.Repeat(live[0], count).ToArray();

        var inGroup = new int[live.Count];
        var total = new int[live.Count];
        foreach (var stored in s.Tasks.Values)
        {
            var t = stored.Record;
            if (t.IsStopped || !t.WantsRunning) continue;
            var i = IndexOf(live, t.NodeId);
            if (i < 0) continue;
            total[i]++;
            if (t.Cluster == cluster && t.Group == group) inGroup[i]++;
        }

        var placed = new string[count];
        for (var n = 0; n < count; n++)
        {
            var best = 0;
            for (var i = 1; i < live.Count; i++)
            {
                if (inGroup[i] < inGroup[best] || (inGroup[i] == inGroup[best] && total[i] < total[best])) best = i;
            }

            placed[n] = live[best];
            inGroup[best]++;
            total[best]++;
        }

        return placed;
    }

    /// <summary>The live container instance a StartTask <c>containerInstances</c> entry names (id or ARN in <paramref name="cluster"/>), or null.</summary>
    private string? LiveInstance(string cluster, string idOrArn)
    {
        foreach (var id in _instances.Live)
        {
            if (idOrArn == id || idOrArn == Arns.ContainerInstance(cluster, id)) return id;
        }

        return null;
    }

    private static int IndexOf(IReadOnlyList<string> ids, string id)
    {
        for (var i = 0; i < ids.Count; i++)
        {
            if (ids[i] == id) return i;
        }

        return -1;
    }

    /// <summary>
    /// Records as STOPPED the tasks of container instances that left the cluster (the leader's entry point): nothing
    /// runs them any more, so nobody else would. Each gets stop code <c>TerminationNotice</c> and
    /// <paramref name="reason"/>, its containers STOPPED without an exit code. Returns the records written.
    /// </summary>
    public Task<IReadOnlyList<TaskRecord>> StopLostTasksAsync(IReadOnlyList<(string TaskId, string Reason)> lost, CancellationToken ct = default) =>
        CommitAsync(s =>
        {
            var compares = new List<Compare>();
            var ops = new List<TxnOp>();
            var stopped = new List<TaskRecord>();
            var now = Now();
            foreach (var (taskId, reason) in lost)
            {
                if (s.Ecs.Task(taskId) is not { } stored || stored.Record.IsStopped || !_instances.IsLost(stored.Record.NodeId)) continue;
                var t = stored.Record;
                var record = t with
                {
                    DesiredStatus = EcsTaskStatus.Stopped, LastStatus = EcsTaskStatus.Stopped,
                    StopCode = t.StopCode ?? StopCodes.TerminationNotice, StoppedReason = t.StoppedReason ?? reason,
                    StoppingAt = t.StoppingAt ?? now, ExecutionStoppedAt = now, StoppedAt = now,
                    Containers = t.Containers.Select(c => c.LastStatus == EcsTaskStatus.Stopped ? c : c with { LastStatus = EcsTaskStatus.Stopped, Reason = c.Reason ?? reason }).ToList(),
                    Registrations = t.Registrations is { DeregisteredAt: null } r ? r with { DeregisteredAt = now } : t.Registrations,
                    Version = t.Version + 1,
                };
                compares.Add(Compare.ModRevisionIs(EcsStoreKeys.Task(taskId), stored.ModRevision));
                ops.Add(Put(EcsStoreKeys.Task(taskId), record));
                stopped.Add(record);
            }

            return new Plan<IReadOnlyList<TaskRecord>>(ops.Count == 0 ? null : new Txn(compares, ops), stopped);
        }, ct);
}
