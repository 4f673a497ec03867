using Portolan.Dns.Wire;

namespace Portolan.Dns.Zones;

/// <summary>
/// The names under one service: <c>&lt;instance-id&gt;.&lt;service&gt;.&lt;namespace&gt;</c> for every instance that
/// has an SRV record, plus the empty non-terminals between such a name and the service's (instance ids may hold
/// dots). Built with the service and kept while the service is unchanged, so a change to one service never
/// rebuilds the names of the others: a view over 100,000 instances is rebuilt in the time one service takes.
/// </summary>
internal sealed class InstanceNames
{

    private readonly Dictionary<byte[], NameNode>.AlternateLookup<ReadOnlySpan<byte>> _names;

    /// <param name="owner">The service's name; every instance name ends with it.</param>
    /// <param name="instances">Instance names and their address record tails; the first of equal names wins.</param>
    public InstanceNames(byte[] owner, IReadOnlyList<InstanceName> instances)
    {
        All = instances;
        var names = new Dictionary<byte[], NameNode>(NameComparer.Instance);
        foreach (var (name, a, aaaa) in instances) names.TryAdd(name, new NameNode { InstanceA = a, InstanceAaaa = aaaa });
        var lookup = names.GetAlternateLookup<ReadOnlySpan<byte>>();
        foreach (var name in names.Keys.ToArray())
        {
            for (var parent = DnsName.Parent(name); parent.Length > owner.Length; parent = DnsName.Parent(parent))
            {
                lookup.TryAdd(parent, new NameNode());
            }
        }

        _names = lookup;
        Count = names.Count;
    }

    /// <summary>The instances' names and address records, in the order they were given.</summary>
    public IReadOnlyList<InstanceName> All { get; }

    public int Count { get; }

    public NameNode? Find(ReadOnlySpan<byte> name) => _names.TryGetValue(name, out var node) ? node : null;
}
