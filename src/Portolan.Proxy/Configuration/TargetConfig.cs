namespace Portolan.Proxy.Configuration;

/// <summary>
/// A registered target: where it is, what health says of it and whether it is being deregistered.
/// </summary>
public sealed record TargetConfig
{
    /// <summary>An IP address or host name.</summary>
    public required string Host { get; init; }

    public required int Port { get; init; }

    public TargetHealth Health { get; init; } = TargetHealth.Healthy;

    /// <summary>
    /// Deregistration in progress: no new requests, in-flight ones finish until <see cref="DrainDeadline"/>
    /// (registration time + deregistration delay), when the remaining ones are cut.
    /// </summary>
    public bool Draining { get; init; }

    /// <summary>When draining ends; null means "when the target leaves the config".</summary>
    public DateTimeOffset? DrainDeadline { get; init; }

    /// <summary>When the target last became healthy, for slow start; null means "when the proxy first saw it healthy".</summary>
    public DateTimeOffset? HealthySince { get; init; }

    /// <summary>The <c>host:port</c> form used in logs, access logs and counters.</summary>
    public string Key => Host.Contains(':', StringComparison.Ordinal) ? $"[{Host}]:{Port}" : $"{Host}:{Port}";
}

/// <summary>
/// What the health checks say. Only <see cref="Healthy"/> targets get traffic, unless none is, when all the
/// registered ones do (ALB fails open).
/// </summary>
public enum TargetHealth
{
    /// <summary>Registered, first checks not passed yet.</summary>
    Initial,
    Healthy,
    Unhealthy,

    /// <summary>Health checks off: always routable.</summary>
    Unavailable,
}
