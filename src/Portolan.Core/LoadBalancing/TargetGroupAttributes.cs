using System.Collections.Frozen;
using System.Collections.Immutable;

namespace Portolan.Core.LoadBalancing;

/// <summary>
/// Target-group attribute keys and AWS's defaults (API TargetGroupAttribute). Application (HTTP/HTTPS) and network
/// (TCP, TLS, UDP…) target groups take different sets; every group stores all of its keys, defaults included.
/// </summary>
public static class TargetGroupAttributes
{
    public const string DeregistrationDelay = "deregistration_delay.timeout_seconds";
    public const string Algorithm = "load_balancing.algorithm.type";
    public const string AnomalyMitigation = "load_balancing.algorithm.anomaly_mitigation";
    public const string CrossZone = "load_balancing.cross_zone.enabled";
    public const string SlowStart = "slow_start.duration_seconds";
    public const string StickinessEnabled = "stickiness.enabled";
    public const string StickinessType = "stickiness.type";
    public const string LbCookieDuration = "stickiness.lb_cookie.duration_seconds";
    public const string AppCookieName = "stickiness.app_cookie.cookie_name";
    public const string AppCookieDuration = "stickiness.app_cookie.duration_seconds";
    public const string DnsFailoverMinimumCount = "target_group_health.dns_failover.minimum_healthy_targets.count";
    public const string DnsFailoverMinimumPercentage = "target_group_health.dns_failover.minimum_healthy_targets.percentage";
    public const string UnhealthyRoutingMinimumCount = "target_group_health.unhealthy_state_routing.minimum_healthy_targets.count";
    public const string UnhealthyRoutingMinimumPercentage = "target_group_health.unhealthy_state_routing.minimum_healthy_targets.percentage";
    public const string ConnectionTermination = "deregistration_delay.connection_termination.enabled";
    public const string PreserveClientIp = "preserve_client_ip.enabled";
    public const string ProxyProtocolV2 = "proxy_protocol_v2.enabled";

    private const int Week = 604800;

    private static readonly AttributeRule[] Common =
    [
        AttributeRule.Int(DeregistrationDelay, 300, 0, 3600),
        AttributeRule.OneOf(CrossZone, "use_load_balancer_configuration", "true", "false", "use_load_balancer_configuration"),
        AttributeRule.Bool(StickinessEnabled, false),
        AttributeRule.IntOrOff(DnsFailoverMinimumCount, "1", 1, int.MaxValue),
        AttributeRule.IntOrOff(DnsFailoverMinimumPercentage, "off", 1, 100),
        AttributeRule.IntOrOff(UnhealthyRoutingMinimumCount, "1", 1, int.MaxValue),
        AttributeRule.IntOrOff(UnhealthyRoutingMinimumPercentage, "off", 1, 100),
    ];

    private static readonly FrozenDictionary<string, AttributeRule> ApplicationRules = Common.Concat(
    [
        AttributeRule.OneOf(Algorithm, "round_robin", "round_robin", "least_outstanding_requests", "weighted_random"),
        AttributeRule.OneOf(AnomalyMitigation, "off", "on", "off"),
        new AttributeRule(SlowStart, "0", v => v == "0" || AttributeRule.IsInt(v, 30, 900) ? null : "must be 0 (off) or an integer between 30 and 900"),
        AttributeRule.OneOf(StickinessType, "lb_cookie", "lb_cookie", "app_cookie"),
        AttributeRule.Int(LbCookieDuration, 86400, 1, Week),
        new AttributeRule(AppCookieName, "", AppCookieNameProblem),
        AttributeRule.Int(AppCookieDuration, 86400, 1, Week),
    ]).ToFrozenDictionary(r => r.Key, StringComparer.Ordinal);

    private static readonly FrozenDictionary<string, AttributeRule> NetworkRules = Common.Concat(
    [
        AttributeRule.OneOf(StickinessType, "source_ip", "source_ip"),
        AttributeRule.Bool(ConnectionTermination, false),
        AttributeRule.Bool(PreserveClientIp, false),
        AttributeRule.Bool(ProxyProtocolV2, false),
    ]).ToFrozenDictionary(r => r.Key, StringComparer.Ordinal);

    /// <summary>Every key a target group of <paramref name="protocol"/> has, with AWS's defaults.</summary>
    public static ImmutableSortedDictionary<string, string> Defaults(ElbProtocol protocol) =>
        AttributeRule.Defaults(RulesFor(protocol).Values);

    /// <summary>
    /// Applies changes as ModifyTargetGroupAttributes does: each key must exist for the group's protocol and each value
    /// be in range (ValidationError), and the result must make sense as a whole (InvalidConfigurationRequest).
    /// </summary>
    public static ImmutableSortedDictionary<string, string> Apply(
        ElbProtocol protocol, ImmutableSortedDictionary<string, string> current, IReadOnlyList<KeyValuePair<string, string?>> changes)
    {
        var next = AttributeRule.Apply(RulesFor(protocol), current, changes, "Target group");
        var settings = new TargetGroupSettings(next);
        if (settings.SlowStart > TimeSpan.Zero && settings.Algorithm == LoadBalancingAlgorithm.LeastOutstandingRequests)
            throw ElbErrors.InvalidConfiguration("Slow start mode can't be used with the least_outstanding_requests algorithm");
        if (settings.AnomalyMitigation && settings.Algorithm != LoadBalancingAlgorithm.WeightedRandom)
            throw ElbErrors.InvalidConfiguration("Anomaly mitigation can only be turned on with the weighted_random algorithm");
        if (settings.StickinessEnabled && settings.StickinessType == LoadBalancing.StickinessType.AppCookie && settings.AppCookieName.Length == 0)
            throw ElbErrors.Validation($"'{AppCookieName}' must be set when application-based stickiness is enabled");
        return next;
    }

    private static FrozenDictionary<string, AttributeRule> RulesFor(ElbProtocol protocol) =>
        protocol is ElbProtocol.Http or ElbProtocol.Https ? ApplicationRules : NetworkRules;

    private static string? AppCookieNameProblem(string name)
    {
        if (name.Length > 128) return "must be at most 128 characters";
        foreach (var reserved in (string[])["AWSALB", "AWSALBAPP", "AWSALBTG"])
        {
            if (name.StartsWith(reserved, StringComparison.OrdinalIgnoreCase)) return $"must not start with {reserved}";
        }
        foreach (var c in name)
        {
            // RFC 6265 cookie-name token characters.
            if (c <= ' ' || c >= 127 || "()<>@,;:\\\"/[]?={}".Contains(c, StringComparison.Ordinal)) return "must be a valid cookie name";
        }
        return null;
    }
}
