using System.Collections.Frozen;
using Portolan.Dns.Wire;

namespace Portolan.Dns.Zones;

/// <summary>
/// Every name Portolan answers for, as of one snapshot revision: built by <see cref="ZoneViewBuilder"/> when
/// the snapshot changes, never per query, and immutable once published, so any number of threads read it
/// without locks. Lookups take the query's name as a span and fold case as they hash and compare.
/// </summary>
/// <remarks>
/// Two levels, so a rebuild costs the number of services, not of instances: zone apexes, service names and the
/// empty non-terminals above them live here, with their zone; each service's instance names live in its
/// <see cref="InstanceNames"/>, which the next view reuses while the service is unchanged.
/// </remarks>
internal sealed class ZoneView
{
    public static readonly ZoneView Empty = new(-1, new Dictionary<byte[], ZoneName>(NameComparer.Instance),
        new Dictionary<byte[], Zone>(NameComparer.Instance), FrozenDictionary<string, BuiltService>.Empty, 0);

    private readonly Dictionary<byte[], ZoneName>.AlternateLookup<ReadOnlySpan<byte>> _names;
    private readonly Dictionary<byte[], Zone>.AlternateLookup<ReadOnlySpan<byte>> _zones;

    public ZoneView(long revision, Dictionary<byte[], ZoneName> names, Dictionary<byte[], Zone> zones, FrozenDictionary<string, BuiltService> services,
        int instanceNameCount)
    {
        Revision = revision;
        _names = names.GetAlternateLookup<ReadOnlySpan<byte>>();
        _zones = zones.GetAlternateLookup<ReadOnlySpan<byte>>();
        Services = services;
        NameCount = names.Count + instanceNameCount;
        ZoneCount = zones.Count;
    }

    /// <summary>The snapshot revision this view was built from.</summary>
    public long Revision { get; }

    public int NameCount { get; }
    public int ZoneCount { get; }

    /// <summary>Per-service build results, reused by the next build for services that did not change.</summary>
    internal FrozenDictionary<string, BuiltService> Services { get; }

    /// <summary>The node for an existing name and the zone it is in, or null.</summary>
    /// <remarks>
    /// Apex and service names win over instance names, and instance names over empty non-terminals. An instance
    /// name is looked for under each service name above it, up to the nearest zone apex: a name below another
    /// namespace's apex belongs to that zone.
    /// </remarks>
    public NameNode? Find(ReadOnlySpan<byte> name, out Zone? zone)
    {
        zone = null;
        NameNode? emptyNonTerminal = null;
        if (_names.TryGetValue(name, out var own))
        {
            zone = own.Zone;
            if (!own.Node.IsEmptyNonTerminal) return own.Node;
            emptyNonTerminal = own.Node;
        }

        for (var above = DnsName.Parent(name); above.Length > 1; above = DnsName.Parent(above))
        {
            if (!_names.TryGetValue(above, out var owner)) continue;
            if (owner.Node.IsApex) break;
            if (owner.Node.Instances?.Find(name) is { } instance)
            {
                zone = owner.Zone;
                return instance;
            }
        }

        return emptyNonTerminal;
    }

    /// <summary>
    /// The zone whose apex is the longest suffix of <paramref name="name"/>, with the offset of that suffix in
    /// the name, or null when the name is under none of our zones.
    /// </summary>
    public Zone? FindEnclosingZone(ReadOnlySpan<byte> name, out int apexOffset)
    {
        apexOffset = 0;
        var rest = name;
        while (rest.Length > 1)
        {
            if (_zones.TryGetValue(rest, out var zone)) return zone;
            var skip = rest[0] + 1;
            apexOffset += skip;
            rest = rest[skip..];
        }

        return null;
    }
}

/// <summary>A name of the upper level of a <see cref="ZoneView"/> and the zone it belongs to.</summary>
internal readonly record struct ZoneName(NameNode Node, Zone Zone);
