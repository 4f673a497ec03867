using System.Collections.Immutable;

namespace Portolan.Core.LoadBalancing;

/// <summary>A target group of a forward action and its weight (0–999; traffic splits in proportion).</summary>
public sealed record WeightedTargetGroup(string TargetGroupArn, int Weight);

/// <summary>Target-group stickiness of a weighted forward: once a client landed on a group, keep it there.</summary>
public sealed record TargetGroupStickiness(bool Enabled, int? DurationSeconds);

/// <summary>
/// A forward action, always in the weighted form: the single <c>TargetGroupArn</c> form is one group of weight 1.
/// </summary>
public sealed record ForwardConfig(ImmutableArray<WeightedTargetGroup> TargetGroups, TargetGroupStickiness Stickiness)
{
    // Value equality over the groups (ImmutableArray alone compares by reference).
    public bool Equals(ForwardConfig? other) =>
        other is not null && Stickiness == other.Stickiness && TargetGroups.SequenceEqual(other.TargetGroups);

    public override int GetHashCode() => HashCode.Combine(Stickiness, TargetGroups.Length);
}

/// <summary>
/// A redirect. Each part may use the placeholders <c>#{protocol}</c>, <c>#{host}</c>, <c>#{port}</c>,
/// <c>#{path}</c> and <c>#{query}</c>; AWS's defaults keep the request's own value.
/// </summary>
public sealed record RedirectConfig
{
    public string Protocol { get; init; } = "#{protocol}";
    public string Port { get; init; } = "#{port}";
    public string Host { get; init; } = "#{host}";
    public string Path { get; init; } = "/#{path}";
    public string Query { get; init; } = "#{query}";

    /// <summary>301 or 302.</summary>
    public required int StatusCode { get; init; }
}

/// <summary>A fixed response: status 2XX/4XX/5XX, optional content type and body (at most 1024 characters).</summary>
public sealed record FixedResponseConfig(int StatusCode, string? ContentType, string? MessageBody);

/// <summary>
/// The one terminal action of a rule or a listener's default rule. Exactly the member that matches
/// <see cref="Type"/> is set.
/// </summary>
public sealed record RuleAction
{
    public required ActionType Type { get; init; }

    /// <summary>The order the caller gave (1–50000), echoed back; a rule has one action, so it decides nothing.</summary>
    public int? Order { get; init; }
    public ForwardConfig? Forward { get; init; }
    public RedirectConfig? Redirect { get; init; }
    public FixedResponseConfig? FixedResponse { get; init; }

    /// <summary>The target groups this action sends to (none for redirect and fixed-response).</summary>
    public IEnumerable<string> TargetGroupArns =>
        Forward is null ? [] : Forward.TargetGroups.Select(g => g.TargetGroupArn);
}
