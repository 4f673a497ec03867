using Portolan.Health.Probing;
using Portolan.Health.Subjects;
using Portolan.Health.Thresholds;

namespace Portolan.Health.Reporting;

/// <summary>
/// What the engine knows about one subject right now: its state and reason, the current runs, when the state last
/// changed, and the most recent probe results (newest first). An immutable copy, safe to keep.
/// </summary>
public sealed record SubjectHealthReport(
    HealthSubject Subject,
    HealthState State,
    HealthReason? Reason,
    int ConsecutiveSuccesses,
    int ConsecutiveFailures,
    DateTimeOffset? StateSince,
    IReadOnlyList<ProbeResult> Recent)
{
    public SubjectKey Key => Subject.Key;
}
