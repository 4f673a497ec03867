namespace Portolan.Core.LoadBalancing;

/// <summary>
/// What the health engine knows before its first verdict, which the registry does not record: whether it has begun
/// checking a registration. DescribeTargetHealth uses it to tell AWS's two <c>initial</c> reasons apart —
/// <c>Elb.RegistrationInProgress</c> until the checker has the target, <c>Elb.InitialHealthChecking</c> from then
/// until the first threshold crossing.
/// </summary>
public interface IHealthCheckProgress
{
    /// <summary>True when this registration of <paramref name="target"/> is being checked and has no verdict yet.</summary>
    bool IsChecking(TargetGroupEntry group, TargetEntry target);
}
