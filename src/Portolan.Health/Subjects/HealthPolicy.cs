namespace Portolan.Health.Subjects;

/// <summary>
/// When to probe and how many consecutive results flip the state.
/// Cloud Map: Healthy/Unhealthy threshold = FailureThreshold, the state starts HEALTHY (a new Route 53 check does).
/// ALB: healthy threshold 5 and unhealthy 2 by default; a new target starts <c>initial</c> and is healthy after
/// passing one check (<see cref="InitialHealthyThreshold"/> = 1).
/// </summary>
public sealed record HealthPolicy(TimeSpan Interval, int HealthyThreshold, int UnhealthyThreshold, int InitialHealthyThreshold = 1)
{
    public static HealthPolicy Symmetric(TimeSpan interval, int threshold) => new(interval, threshold, threshold, threshold);
}
