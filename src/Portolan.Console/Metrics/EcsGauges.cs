using System.Diagnostics;
using System.Diagnostics.Metrics;
using Portolan.Core.Ecs.Model;
using Portolan.Core.Ecs.Snapshots;
using Portolan.Core.Snapshots;

namespace Portolan.WebConsole.Metrics;

/// <summary>
/// ECS tasks observed from the snapshot's ECS section at scrape time: <c>portolan.ecs.tasks</c> by cluster and the
/// task's last status (every status is reported for every cluster, zeros included, so a series never vanishes
/// while its cluster exists). Stopped tasks count until ECS forgets them, as DescribeTasks still shows them.
/// </summary>
internal sealed class EcsGauges
{
    public const string MeterName = "Portolan.Ecs";

    private static readonly string[] Statuses =
    [
        EcsTaskStatus.Provisioning, EcsTaskStatus.Pending, EcsTaskStatus.Activating, EcsTaskStatus.Running,
        EcsTaskStatus.Deactivating, EcsTaskStatus.Stopping, EcsTaskStatus.Deprovisioning, EcsTaskStatus.Stopped,
    ];

    public EcsGauges(IMeterFactory meterFactory, ISnapshotSource snapshots)
    {
        var meter = meterFactory.Create(MeterName);
        meter.CreateObservableGauge("portolan.ecs.tasks", () => TasksByStatus(snapshots.Current.Ecs), "{task}", "ECS tasks by cluster and last status.");
    }

    private static IEnumerable<Measurement<long>> TasksByStatus(EcsState ecs)
    {
        var counts = new Dictionary<(string Cluster, string Status), long>();
        foreach (var cluster in ecs.Clusters.Keys)
        {
            foreach (var status in Statuses) counts[(cluster, status)] = 0;
        }

        foreach (var task in ecs.Tasks.Values)
        {
            var key = (task.Record.Cluster, task.Record.LastStatus);
            counts[key] = counts.GetValueOrDefault(key) + 1;
        }

        foreach (var ((cluster, status), count) in counts)
        {
            yield return new Measurement<long>(count, new TagList { { "cluster", cluster }, { "status", status } });
        }
    }
}
