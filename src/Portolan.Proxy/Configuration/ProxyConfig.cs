using System.Collections.Immutable;

namespace Portolan.Proxy.Configuration;

/// <summary>
/// Everything the data plane serves, as of one moment: the listeners (each its own port) and the target groups
/// their rules forward to. Immutable; a new one replaces it as a whole (<see cref="IProxyConfigSource"/>) and the
/// runtime works out what changed, keeping what did not (open ports, pooled target connections, counters).
/// </summary>
public sealed record ProxyConfig
{
    public static readonly ProxyConfig Empty = new();

    /// <summary>Where this config came from, e.g. the registry revision; shown in logs only.</summary>
    public long Version { get; init; }

    public ImmutableArray<ListenerConfig> Listeners { get; init; } = [];

    public ImmutableArray<TargetGroupConfig> TargetGroups { get; init; } = [];
}
