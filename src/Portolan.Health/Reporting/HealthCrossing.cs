using Portolan.Health.Subjects;
using Portolan.Health.Thresholds;

namespace Portolan.Health.Reporting;

/// <summary>A threshold crossing: the only thing the engine writes through the registry.</summary>
/// <param name="Key">The subject.</param>
/// <param name="Generation">The registration it applies to; a write for an older registration is dropped.</param>
/// <param name="From">The state before.</param>
/// <param name="To">The state after.</param>
/// <param name="Reason">Why (null when healthy).</param>
/// <param name="At">When the crossing probe ran.</param>
public sealed record HealthCrossing(SubjectKey Key, long Generation, HealthState From, HealthState To, HealthReason? Reason, DateTimeOffset At)
{
    /// <summary>The reason as one line for stores that keep a string (Cloud Map's InstanceHealth.Reason).</summary>
    public string? ReasonText => Reason is null ? null : $"{Reason.Code}: {Reason.Description}";
}
