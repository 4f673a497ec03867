using System.Collections.Immutable;

namespace Portolan.Proxy.Configuration;

/// <summary>A target group with the attributes that shape forwarding, and its registered targets.</summary>
public sealed record TargetGroupConfig
{
    /// <summary>The target group's ARN: how rules name it, and its name in access logs and counters.</summary>
    public required string Id { get; init; }

    /// <summary>How to reach targets: <c>http</c> or <c>https</c> (TLS to the target, certificate not checked, as ALB).</summary>
    public TargetProtocol Protocol { get; init; } = TargetProtocol.Http;

    public TargetProtocolVersion ProtocolVersion { get; init; } = TargetProtocolVersion.Http1;

    /// <summary><c>load_balancing.algorithm.type</c>.</summary>
    public BalancingAlgorithm Algorithm { get; init; } = BalancingAlgorithm.RoundRobin;

    /// <summary>
    /// <c>stickiness.enabled</c>: the stickiness cookie's lifetime (<c>lb_cookie.duration_seconds</c> or
    /// <c>app_cookie.duration_seconds</c>), or null when off.
    /// </summary>
    public TimeSpan? StickinessDuration { get; init; }

    /// <summary>
    /// <c>stickiness.type</c> <c>app_cookie</c>: the application's cookie. A response from a target that sets it gets
    /// ALB's <c>AWSALBAPP-0</c> cookie naming that target, and requests bringing it go back there. Null is
    /// <c>lb_cookie</c> (<c>AWSALB</c> on every response).
    /// </summary>
    public string? AppCookieName { get; init; }

    /// <summary><c>slow_start.duration_seconds</c>; zero is off.</summary>
    public TimeSpan SlowStart { get; init; }

    /// <summary><c>deregistration_delay.timeout_seconds</c>: how long a draining target may finish what it has.</summary>
    public TimeSpan DeregistrationDelay { get; init; } = TimeSpan.FromSeconds(300);

    /// <summary>
    /// <c>target_group_health.unhealthy_state_routing.minimum_healthy_targets.count</c>: with fewer healthy targets
    /// than this, the group fails open (routes to every registered target). With none healthy it always does.
    /// </summary>
    public int MinimumHealthyTargets { get; init; } = 1;

    /// <summary>The same threshold as a percentage of the registered (not draining) targets; null is off.</summary>
    public int? MinimumHealthyPercentage { get; init; }

    public ImmutableArray<TargetConfig> Targets { get; init; } = [];
}

public enum TargetProtocol { Http, Https }

/// <summary>ELBv2 <c>ProtocolVersion</c>: what the load balancer speaks to the targets.</summary>
public enum TargetProtocolVersion
{
    /// <summary>HTTP/1.1.</summary>
    Http1,

    /// <summary>HTTP/2 (h2c with prior knowledge to cleartext targets).</summary>
    Http2,

    /// <summary>gRPC: HTTP/2, as <see cref="Http2"/>.</summary>
    Grpc,
}

public enum BalancingAlgorithm
{
    RoundRobin,
    LeastOutstandingRequests,
    WeightedRandom,
}
