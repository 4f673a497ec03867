using Portolan.Health.Subjects;

namespace Portolan.Health.Thresholds;

/// <summary>
/// Consecutive-result counting, the rule Route 53 and ALB share: a run of <see cref="HealthPolicy.UnhealthyThreshold"/>
/// failures makes a healthy (or initial) subject unhealthy; a run of <see cref="HealthPolicy.HealthyThreshold"/>
/// successes makes an unhealthy one healthy, and <see cref="HealthPolicy.InitialHealthyThreshold"/> successes an
/// initial one. Any opposite result restarts the run. A value type with no clock: tests drive it directly.
/// </summary>
public struct ThresholdCounter(HealthState state)
{
    public HealthState State { get; private set; } = state;
    public int ConsecutiveSuccesses { get; private set; }
    public int ConsecutiveFailures { get; private set; }

    /// <summary>Counts one result; returns true when it crossed a threshold (the state changed).</summary>
    public bool Record(bool passed, HealthPolicy policy)
    {
        var before = State;
        if (passed)
        {
            ConsecutiveSuccesses++;
            ConsecutiveFailures = 0;
            if ((State == HealthState.Initial && ConsecutiveSuccesses >= policy.InitialHealthyThreshold) ||
                (State == HealthState.Unhealthy && ConsecutiveSuccesses >= policy.HealthyThreshold))
                State = HealthState.Healthy;
        }
        else
        {
            ConsecutiveFailures++;
            ConsecutiveSuccesses = 0;
            if (State != HealthState.Unhealthy && ConsecutiveFailures >= policy.UnhealthyThreshold) State = HealthState.Unhealthy;
        }
        return State != before;
    }
}
