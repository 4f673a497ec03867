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

    /// <summary><c>stickiness.enabled</c> with type <c>lb_cookie</c>: the cookie's lifetime, or null when off.</summary>
    public TimeSpan? StickinessDuration { get; init; }

    /// <summary><c>slow_start.duration_seconds</c>; zero is off.</summary>
    public TimeSpan SlowStart { get; init; }

    /// <summary><c>deregistration_delay.timeout_seconds</c>: how long a draining target may finish what it has.</summary>
    public TimeSpan DeregistrationDelay { get; init; } = TimeSpan.FromSeconds(300);

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
