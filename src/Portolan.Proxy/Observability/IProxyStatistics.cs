namespace Portolan.Proxy.Observability;

/// <summary>The data plane's counters, for the metrics endpoint and the console to show.</summary>
public interface IProxyStatistics
{
    /// <summary>One entry per running listener.</summary>
    IReadOnlyList<TrafficCounters> Listeners { get; }

    /// <summary>One entry per target group in the config.</summary>
    IReadOnlyList<TrafficCounters> TargetGroups { get; }
}
