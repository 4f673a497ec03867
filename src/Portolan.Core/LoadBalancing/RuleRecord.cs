using System.Collections.Immutable;

namespace Portolan.Core.LoadBalancing;

/// <summary>
/// A listener rule with a priority (1–50000, lowest first). A request matches when every condition matches; the
/// first matching rule's actions run, else the listener's default actions. The default rule is not stored as a
/// rule: it is the listener's <see cref="ListenerRecord.DefaultActions"/>.
/// </summary>
public sealed record RuleRecord
{
    public required string Id { get; init; }
    public required string Arn { get; init; }
    public required string ListenerArn { get; init; }
    public required int Priority { get; init; }
    public required ImmutableArray<RuleCondition> Conditions { get; init; }
    public required ImmutableArray<RuleAction> Actions { get; init; }
    public required DateTimeOffset CreatedTime { get; init; }

    public bool Equals(RuleRecord? other) =>
        other is not null && Id == other.Id && Arn == other.Arn && ListenerArn == other.ListenerArn && Priority == other.Priority
        && CreatedTime == other.CreatedTime && Structural.Equal(Conditions, other.Conditions) && Structural.Equal(Actions, other.Actions);

    public override int GetHashCode() => HashCode.Combine(Id, Priority);
}
