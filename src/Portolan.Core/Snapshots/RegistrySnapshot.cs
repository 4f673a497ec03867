using Portolan.Core.Ecs.Snapshots;
using System.Collections.Immutable;
using Portolan.Core.LoadBalancing;

namespace Portolan.Core.Snapshots;

/// <summary>
/// Everything readers need, as of one store <see cref="Revision"/>. Immutable: DNS, the proxy, health and
/// the API read it without locks, and a new one replaces it atomically after each change (DESIGN.md).
/// </summary>
public sealed record RegistrySnapshot
{
    public static readonly RegistrySnapshot Empty = new();

    public long Revision { get; init; }
    public ImmutableDictionary<string, NamespaceEntry> Namespaces { get; init; } = ImmutableDictionary<string, NamespaceEntry>.Empty;

    /// <summary>Namespace id by lower-cased name (names are unique regardless of case).</summary>
    public ImmutableDictionary<string, string> NamespaceIdsByName { get; init; } = ImmutableDictionary<string, string>.Empty;
    public ImmutableDictionary<string, ServiceEntry> Services { get; init; } = ImmutableDictionary<string, ServiceEntry>.Empty;

    /// <summary>Service id by <c>{namespaceId}/{name key}</c>; see <see cref="ServiceNameKey"/>.</summary>
    public ImmutableDictionary<string, string> ServiceIdsByName { get; init; } = ImmutableDictionary<string, string>.Empty;

    /// <summary>Tags by resource ARN.</summary>
    public ImmutableDictionary<string, ImmutableSortedDictionary<string, string>> Tags { get; init; } =
        ImmutableDictionary<string, ImmutableSortedDictionary<string, string>>.Empty;

    /// <summary>Load balancers, listeners, rules, target groups, targets and their health.</summary>
    public LoadBalancingSnapshot LoadBalancing { get; init; } = LoadBalancingSnapshot.Empty;

    /// <summary>ECS clusters, task definitions, services and tasks.</summary>
    public EcsState Ecs { get; init; } = EcsState.Empty;

    /// <summary>
    /// How a service name is keyed in its namespace: in DNS namespaces two services may not differ only by
    /// letter case, in HTTP namespaces they may (AWS-BEHAVIOUR.md §1.1).
    /// </summary>
    public static string ServiceNameKey(bool dnsNamespace, string name) => dnsNamespace ? name.ToLowerInvariant() : name;

    public NamespaceEntry? FindNamespaceByName(string name) =>
        NamespaceIdsByName.TryGetValue(name.ToLowerInvariant(), out var id) && Namespaces.TryGetValue(id, out var ns) ? ns : null;

    public ServiceEntry? FindService(NamespaceEntry ns, string name) =>
        ServiceIdsByName.TryGetValue(ns.Id + "/" + ServiceNameKey(ns.Record.IsDns, name), out var id) && Services.TryGetValue(id, out var s) ? s : null;
}
