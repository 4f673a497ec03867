using System.Collections.Immutable;

namespace Portolan.Core.LoadBalancing;

/// <summary>A load balancer in a snapshot, with the ids of its listeners.</summary>
public sealed record LoadBalancerEntry
{
    public required LoadBalancerRecord Record { get; init; }
    public required long CreateRevision { get; init; }
    public required long ModRevision { get; init; }
    public ImmutableSortedSet<string> ListenerIds { get; init; } = ImmutableSortedSet.Create<string>(StringComparer.Ordinal);

    public string Id => Record.Id;
    public string Arn => Record.Arn;
}

/// <summary>A rule with a priority, in a snapshot.</summary>
public sealed record RuleEntry(RuleRecord Record, long CreateRevision, long ModRevision)
{
    public string Id => Record.Id;
    public string Arn => Record.Arn;
}

/// <summary>
/// A listener in a snapshot with its rules, lowest priority first: everything the data plane needs to route a
/// request arriving on <see cref="ListenerRecord.Port"/> (then <see cref="ListenerRecord.DefaultActions"/>).
/// <see cref="ModRevision"/> changes with the listener's record; <see cref="RulesRevision"/> with any of its rules.
/// </summary>
public sealed record ListenerEntry
{
    public required ListenerRecord Record { get; init; }
    public required string LoadBalancerId { get; init; }
    public required long CreateRevision { get; init; }
    public required long ModRevision { get; init; }
    public ImmutableArray<RuleEntry> Rules { get; init; } = [];

    /// <summary>The highest ModRevision of the listener and its rules: a cheap "did routing change" check.</summary>
    public long RulesRevision { get; init; }

    public string Id => Record.Id;
    public string Arn => Record.Arn;

    /// <summary>The ARNs of every target group the listener's default actions and rules forward to.</summary>
    public IEnumerable<string> TargetGroupArns =>
        Record.DefaultActions.Concat(Rules.SelectMany(r => r.Record.Actions)).SelectMany(a => a.TargetGroupArns).Distinct(StringComparer.Ordinal);
}
