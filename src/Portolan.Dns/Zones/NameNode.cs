namespace Portolan.Dns.Zones;

/// <summary>
/// A name that exists in a zone: the apex, a service, an instance (an SRV target), or an empty non-terminal
/// (a name with nothing of its own but names below it, e.g. <c>_tcp.example.local</c> under
/// <c>_http._tcp.example.local</c>; it answers NODATA, never NXDOMAIN, as RFC 8020 asks). The zone a node
/// belongs to comes with the lookup (<see cref="ZoneView.Find"/>), so a service's instance names can be kept
/// from one view to the next while the zone's SOA (whose serial is the revision) is rebuilt.
/// </summary>
internal sealed class NameNode
{
    public bool IsApex { get; init; }
    public ServiceRecords? Service { get; init; }

    /// <summary>On a service's own name: the names of its instances (and the empty non-terminals among them).</summary>
    public InstanceNames? Instances { get; init; }

    /// <summary>An instance name's own A record tail (an SRV target's address), if it has one.</summary>
    public byte[]? InstanceA { get; init; }
    public byte[]? InstanceAaaa { get; init; }

    public bool IsEmptyNonTerminal => !IsApex && Service is null && InstanceA is null && InstanceAaaa is null;
}
