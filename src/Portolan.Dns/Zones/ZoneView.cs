using System.Collections.Frozen;

namespace Portolan.Dns.Zones;

/// <summary>
/// Every name Portolan answers for, as of one snapshot revision: built by <see cref="ZoneViewBuilder"/> when
/// the snapshot changes, never per query, and immutable once published, so any number of threads read it
/// without locks. Lookups take the query's name as a span and fold case as they hash and compare.
/// </summary>
internal sealed class ZoneView
{
    public static readonly ZoneView Empty = new(-1, new Dictionary<byte[], NameNode>(NameComparer.Instance),
        new Dictionary<byte[], Zone>(NameComparer.Instance), FrozenDictionary<string, BuiltService>.Empty);

    private readonly Dictionary<byte[], NameNode>.AlternateLookup<ReadOnlySpan<byte>> _names;
    private readonly Dictionary<byte[], Zone>.AlternateLookup<ReadOnlySpan<byte>> _zones;

    public ZoneView(long revision, Dictionary<byte[], NameNode> names, Dictionary<byte[], Zone> zones, FrozenDictionary<string, BuiltService> services)
    {
        Revision = revision;
        _names = names.GetAlternateLookup<ReadOnlySpan<byte>>();
        _zones = zones.GetAlternateLookup<ReadOnlySpan<byte>>();
        Services = services;
        NameCount = names.Count;
        ZoneCount = zones.Count;
    }

    /// <summary>The snapshot revision this view was built from.</summary>
    public long Revision { get; }

    public int NameCount { get; }
    public int ZoneCount { get; }

    /// <summary>Per-service build results, reused by the next build for services that did not change.</summary>
    internal FrozenDictionary<string, BuiltService> Services { get; }

    /// <summary>The node for an existing name, or null.</summary>
    public NameNode? Find(ReadOnlySpan<byte> name) => _names.TryGetValue(name, out var node) ? node : null;

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
