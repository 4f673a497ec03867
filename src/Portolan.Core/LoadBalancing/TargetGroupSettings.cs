namespace Portolan.Core.LoadBalancing;

/// <summary>The values of <c>load_balancing.algorithm.type</c>.</summary>
public enum LoadBalancingAlgorithm { RoundRobin, LeastOutstandingRequests, WeightedRandom }

/// <summary>The values of <c>stickiness.type</c>.</summary>
public enum StickinessType { LbCookie, AppCookie, SourceIp }

/// <summary>
/// A target group's attributes, typed for the data plane and the health engine. Built from the stored strings, which
/// <see cref="TargetGroupAttributes.Apply"/> has validated.
/// </summary>
public sealed class TargetGroupSettings(IReadOnlyDictionary<string, string> attributes)
{
    /// <summary>How long a deregistered target drains (0–3600 s, default 300).</summary>
    public TimeSpan DeregistrationDelay { get; } = Seconds(attributes, TargetGroupAttributes.DeregistrationDelay, 300);

    public LoadBalancingAlgorithm Algorithm { get; } = attributes.GetValueOrDefault(TargetGroupAttributes.Algorithm) switch
    {
        "least_outstanding_requests" => LoadBalancingAlgorithm.LeastOutstandingRequests,
        "weighted_random" => LoadBalancingAlgorithm.WeightedRandom,
        _ => LoadBalancingAlgorithm.RoundRobin,
    };

    public bool AnomalyMitigation { get; } = attributes.GetValueOrDefault(TargetGroupAttributes.AnomalyMitigation) == "on";

    /// <summary>Ramp-up of a new healthy target's share (0 = off, else 30–900 s).</summary>
    public TimeSpan SlowStart { get; } = Seconds(attributes, TargetGroupAttributes.SlowStart, 0);

    public bool StickinessEnabled { get; } = attributes.GetValueOrDefault(TargetGroupAttributes.StickinessEnabled) == "true";

    public StickinessType StickinessType { get; } = attributes.GetValueOrDefault(TargetGroupAttributes.StickinessType) switch
    {
        "app_cookie" => StickinessType.AppCookie,
        "source_ip" => StickinessType.SourceIp,
        _ => StickinessType.LbCookie,
    };

    /// <summary>Lifetime of the load balancer's own cookie (<c>AWSALB</c>), default 1 day.</summary>
    public TimeSpan LbCookieDuration { get; } = Seconds(attributes, TargetGroupAttributes.LbCookieDuration, 86400);

    /// <summary>The application's cookie that app_cookie stickiness follows.</summary>
    public string AppCookieName { get; } = attributes.GetValueOrDefault(TargetGroupAttributes.AppCookieName) ?? "";

    public TimeSpan AppCookieDuration { get; } = Seconds(attributes, TargetGroupAttributes.AppCookieDuration, 86400);

    /// <summary>
    /// Fail-open threshold: when fewer targets than this are healthy, route to all of them (default 1, i.e. only when
    /// none is healthy); 0 when set to <c>off</c>.
    /// </summary>
    public int UnhealthyRoutingMinimumCount { get; } = attributes.GetValueOrDefault(TargetGroupAttributes.UnhealthyRoutingMinimumCount) == "off"
        ? 0 : AttributeRule.IntOf(attributes, TargetGroupAttributes.UnhealthyRoutingMinimumCount, 1);

    /// <summary>The same threshold as a percentage of registered targets, or null when <c>off</c> (the default).</summary>
    public int? UnhealthyRoutingMinimumPercentage { get; } =
        attributes.TryGetValue(TargetGroupAttributes.UnhealthyRoutingMinimumPercentage, out var p) && p != "off"
            ? AttributeRule.IntOf(attributes, TargetGroupAttributes.UnhealthyRoutingMinimumPercentage, 0) : null;

    private static TimeSpan Seconds(IReadOnlyDictionary<string, string> attributes, string key, int fallback) =>
        TimeSpan.FromSeconds(AttributeRule.IntOf(attributes, key, fallback));
}
