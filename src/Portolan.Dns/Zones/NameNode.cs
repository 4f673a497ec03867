namespace Portolan.Dns.Zones;

/// <summary>
/// A name that exists in a zone: the apex, a service, an instance (an SRV target), or an empty non-terminal
/// (a name with nothing of its own but names below it, e.g. <c>_tcp.example.local</c> under
/// <c>_http._tcp.example.local</c>; it answers NODATA, never NXDOMAIN, as RFC 8020 asks).
/// </summary>
internal sealed class NameNode(Zone zone)
{
    public Zone Zone { get; } = zone;
    public bool IsApex { get; init; }
    public ServiceRecords? Service { get; init; }

    /// <summary>An instance name's own A record tail (an SRV target's address), if it has one.</summary>
    public byte[]? InstanceA { get; init; }
    public byte[]? InstanceAaaa { get; init; }
}
