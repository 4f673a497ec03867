using System.Collections.Immutable;

namespace Portolan.Core.LoadBalancing;

/// <summary>
/// The load-balancing section of <see cref="Snapshots.RegistrySnapshot"/>: every load balancer, listener, rule and
/// target group (with targets and health), as of one store revision. Immutable; when a store change touches nothing
/// under <c>/p/elb/</c>, the next registry snapshot carries this very instance, so <c>ReferenceEquals</c> tells a
/// reader that nothing here changed. Dictionaries are keyed by resource id (the 16 hex digits that end the ARN);
/// the <c>Find…</c> methods take ARNs.
/// </summary>
public sealed record LoadBalancingSnapshot
{
    public static readonly LoadBalancingSnapshot Empty = new();

    /// <summary>The store revision of the last change in this section (0 when nothing was ever written).</summary>
    public long Revision { get; init; }

    public ImmutableDictionary<string, LoadBalancerEntry> LoadBalancers { get; init; } = ImmutableDictionary<string, LoadBalancerEntry>.Empty;
    public ImmutableDictionary<string, ListenerEntry> Listeners { get; init; } = ImmutableDictionary<string, ListenerEntry>.Empty;
    public ImmutableDictionary<string, RuleEntry> Rules { get; init; } = ImmutableDictionary<string, RuleEntry>.Empty;
    public ImmutableDictionary<string, TargetGroupEntry> TargetGroups { get; init; } = ImmutableDictionary<string, TargetGroupEntry>.Empty;

    /// <summary>Tags by resource ARN (load balancers, target groups, listeners, rules).</summary>
    public ImmutableDictionary<string, ImmutableSortedDictionary<string, string>> Tags { get; init; } =
        ImmutableDictionary<string, ImmutableSortedDictionary<string, string>>.Empty;

    /// <summary>Load balancer id by lower-cased name (names are unique regardless of case: they become DNS labels).</summary>
    public ImmutableDictionary<string, string> LoadBalancerIdsByName { get; init; } = ImmutableDictionary<string, string>.Empty;

    /// <summary>Target group id by name.</summary>
    public ImmutableDictionary<string, string> TargetGroupIdsByName { get; init; } = ImmutableDictionary<string, string>.Empty;

    /// <summary>Listener id by port: a port serves one listener on this host, whichever load balancer owns it.</summary>
    public ImmutableDictionary<int, string> ListenerIdsByPort { get; init; } = ImmutableDictionary<int, string>.Empty;

    /// <summary>ModRevision of the configuration guard key; every configuration write compares it.</summary>
    internal long ConfigRevision { get; init; }

    public LoadBalancerEntry? FindLoadBalancer(string? arn) => Find(LoadBalancers, arn, static e => e.Arn);
    public TargetGroupEntry? FindTargetGroup(string? arn) => Find(TargetGroups, arn, static e => e.Arn);
    public ListenerEntry? FindListener(string? arn) => Find(Listeners, arn, static e => e.Arn);
    public RuleEntry? FindRule(string? arn) => Find(Rules, arn, static e => e.Arn);

    /// <summary>The listener whose default rule has this ARN.</summary>
    public ListenerEntry? FindListenerByDefaultRule(string? ruleArn)
    {
        if (ruleArn is null || !ElbArns.IsWellFormed(ruleArn, ElbResourceKind.Rule)) return null;
        var parts = ruleArn.Split('/');
        return Listeners.TryGetValue(parts[^2], out var l) && l.Record.DefaultRuleArn == ruleArn ? l : null;
    }

    public LoadBalancerEntry? FindLoadBalancerByName(string name) =>
        LoadBalancerIdsByName.TryGetValue(name.ToLowerInvariant(), out var id) ? LoadBalancers.GetValueOrDefault(id) : null;

    public TargetGroupEntry? FindTargetGroupByName(string name) =>
        TargetGroupIdsByName.TryGetValue(name, out var id) ? TargetGroups.GetValueOrDefault(id) : null;

    public ListenerEntry? ListenerOnPort(int port) =>
        ListenerIdsByPort.TryGetValue(port, out var id) ? Listeners.GetValueOrDefault(id) : null;

    /// <summary>The listeners of a load balancer, by port.</summary>
    public IEnumerable<ListenerEntry> ListenersOf(LoadBalancerEntry lb) =>
        lb.ListenerIds.Select(id => Listeners.GetValueOrDefault(id)).OfType<ListenerEntry>().OrderBy(l => l.Record.Port);

    public ImmutableSortedDictionary<string, string> TagsOf(string arn) =>
        Tags.GetValueOrDefault(arn) ?? ImmutableSortedDictionary.Create<string, string>(StringComparer.Ordinal);

    private static T? Find<T>(ImmutableDictionary<string, T> map, string? arn, Func<T, string> arnOf) where T : class =>
        arn is not null && map.TryGetValue(ElbArns.IdOf(arn), out var e) && arnOf(e) == arn ? e : null;
}
