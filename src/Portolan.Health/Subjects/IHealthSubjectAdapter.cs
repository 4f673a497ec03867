using Portolan.Core.Snapshots;
using Portolan.Health.Reporting;

namespace Portolan.Health.Subjects;

/// <summary>
/// Connects one kind of subject to the engine: lists what to probe from a registry snapshot and writes threshold
/// crossings back through that kind's registry. Cloud Map instances and target-group targets each have one.
/// </summary>
public interface IHealthSubjectAdapter
{
    SubjectKind Kind { get; }

    /// <summary>Adds every subject of this kind that <paramref name="snapshot"/> asks to be probed (ownership is applied later).</summary>
    void Collect(RegistrySnapshot snapshot, List<HealthSubject> into);

    /// <summary>
    /// Writes crossings (the latest per subject) through the registry, in as few transactions as the store allows.
    /// A crossing whose subject is gone, or registered again since (<see cref="HealthCrossing.Generation"/>), is dropped.
    /// </summary>
    Task WriteAsync(IReadOnlyList<HealthCrossing> crossings, CancellationToken cancellationToken);
}
