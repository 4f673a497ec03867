using System.Collections.Immutable;

namespace Portolan.Proxy.Configuration;

/// <summary>A rule's terminal action: forward, fixed-response or redirect.</summary>
public abstract record RuleAction;

/// <summary>
/// Forward to one target group, or spread over several by weight (0–999; weight 0 gets nothing). With
/// <see cref="StickinessDuration"/> set, a client keeps going to the group it was first sent to (cookie
/// <c>AWSALBTG</c>).
/// </summary>
public sealed record ForwardAction(ImmutableArray<WeightedTargetGroup> TargetGroups, TimeSpan? StickinessDuration = null) : RuleAction
{
    public static ForwardAction To(string targetGroupId) => new([new WeightedTargetGroup(targetGroupId, 1)]);
}

public sealed record WeightedTargetGroup(string TargetGroupId, int Weight);

/// <summary>A response made by the load balancer: status 200–599, an optional content type and body (≤ 1024 chars).</summary>
public sealed record FixedResponseAction(int StatusCode, string? ContentType = null, string? MessageBody = null) : RuleAction;

/// <summary>
/// A redirect built from the request. Every part may use the placeholders <c>#{protocol}</c>, <c>#{host}</c>,
/// <c>#{port}</c>, <c>#{path}</c> (without its leading slash) and <c>#{query}</c>; the defaults keep the part
/// as it came.
/// </summary>
public sealed record RedirectAction : RuleAction
{
    public string Protocol { get; init; } = "#{protocol}";
    public string Host { get; init; } = "#{host}";
    public string Port { get; init; } = "#{port}";
    public string Path { get; init; } = "/#{path}";
    public string Query { get; init; } = "#{query}";

    /// <summary>301 (<c>HTTP_301</c>) or 302 (<c>HTTP_302</c>).</summary>
    public int StatusCode { get; init; } = 301;
}
