using System.Collections.Immutable;

namespace Portolan.Proxy.Configuration;

/// <summary>
/// A listener rule: every condition must match (each condition matches when any of its values does), then the
/// action runs. Lower <see cref="Priority"/> numbers are evaluated first, as in ELBv2.
/// </summary>
public sealed record RuleConfig
{
    /// <summary>The rule's ARN; access logs report its priority.</summary>
    public string Id { get; init; } = "";

    public required int Priority { get; init; }

    public ImmutableArray<RuleCondition> Conditions { get; init; } = [];

    public required RuleAction Action { get; init; }
}
