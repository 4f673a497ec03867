using Portolan.Health.Thresholds;

namespace Portolan.Health.Subjects;

/// <summary>
/// Something the engine probes: an address with a probe and a policy. <see cref="Generation"/> identifies one
/// registration: when it changes (an instance registered again, a target re-registered), the check starts over
/// from <see cref="StartState"/>, as AWS replaces the check. A changed spec or policy with the same generation keeps
/// the state and applies from the next probe.
/// </summary>
/// <param name="Key">Stable identity.</param>
/// <param name="Spec">The probe.</param>
/// <param name="Policy">Interval and thresholds.</param>
/// <param name="Generation">Changes when the subject is registered again.</param>
/// <param name="StartState">The state a (re)started check begins in: the recorded one if any, else the kind's initial state.</param>
public sealed record HealthSubject(SubjectKey Key, ProbeSpec Spec, HealthPolicy Policy, long Generation, HealthState StartState);
