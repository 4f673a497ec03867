using Portolan.Core.LoadBalancing;
using Portolan.Health.Reporting;
using Portolan.Health.Thresholds;

namespace Portolan.Health.TargetGroups;

/// <summary>
/// <see cref="IHealthCheckProgress"/> from this node's <see cref="HealthView"/>: a target is being checked when the
/// engine runs a subject for the same registration (generation = the target's revision) that is still
/// <see cref="HealthState.Initial"/>. A check another cluster node owns is not in this view; that target reads
/// <c>Elb.RegistrationInProgress</c> here until its first verdict.
/// </summary>
internal sealed class TargetGroupHealthProgress(HealthView view) : IHealthCheckProgress
{
    public bool IsChecking(TargetGroupEntry group, TargetEntry target) =>
        view.TryGet(TargetGroupHealthChecks.KeyOf(group, target.Key), out var report)
        && report.Subject.Generation == target.ModRevision
        && report.State == HealthState.Initial;
}
