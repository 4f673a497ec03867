using System.Collections.Concurrent;
using Portolan.Health.Subjects;

namespace Portolan.Health.Reporting;

/// <summary>
/// The engine's live view, in-process: what it probes on this node, each subject's state and recent probes, and
/// counters. The console, metrics and DescribeTargetHealth read it; it is not persisted (threshold crossings are,
/// through the registry). A subject another node owns is not here.
/// </summary>
public sealed class HealthView
{
    private readonly ConcurrentDictionary<SubjectKey, SubjectRecord> _records = new();

    public ProbeStatistics Statistics { get; } = new();

    public int Count => _records.Count;

    public bool TryGet(SubjectKey key, out SubjectHealthReport report)
    {
        if (_records.TryGetValue(key, out var record))
        {
            report = record.Report();
            return true;
        }
        report = null!;
        return false;
    }

    /// <summary>Reports for every subject probed here (a copy; fine for pages and scrapes, not for hot paths).</summary>
    public IReadOnlyList<SubjectHealthReport> All() => [.. _records.Values.Select(r => r.Report())];

    /// <summary>Reports for one group: a service id or a target group ARN.</summary>
    public IReadOnlyList<SubjectHealthReport> Group(SubjectKind kind, string group) =>
        [.. _records.Where(p => p.Key.Kind == kind && p.Key.Group == group).Select(p => p.Value.Report())];

    internal IEnumerable<SubjectRecord> Records => _records.Values;

    internal void Set(SubjectKey key, SubjectRecord record) => _records[key] = record;

    internal void Remove(SubjectKey key) => _records.TryRemove(key, out _);
}
