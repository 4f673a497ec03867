namespace Portolan.Health.Thresholds;

/// <summary>What the probes have concluded about a subject.</summary>
public enum HealthState
{
    /// <summary>Not yet decided (ALB <c>initial</c>): registered, still in its first checks.</summary>
    Initial,
    Healthy,
    Unhealthy,
}
