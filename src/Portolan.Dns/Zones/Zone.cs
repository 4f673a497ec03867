namespace Portolan.Dns.Zones;

/// <summary>
/// One DNS namespace as a zone Portolan is authoritative for: its apex and the apex's SOA and NS records.
/// The SOA's TTL and MINIMUM are both the namespace's SOA TTL, so that is the negative-caching TTL resolvers
/// apply (RFC 2308 §5: the smaller of the two). Cloud Map's hosted zones keep NXDOMAIN for 900 s; a Portolan
/// namespace defaults to 15 s and is set per namespace with the API's <c>SOA.TTL</c>.
/// </summary>
internal sealed class Zone(string name, byte[] apex, byte[] soaTail, byte[] nsTail, uint negativeTtl)
{
    /// <summary>The namespace name, for logs.</summary>
    public string Name { get; } = name;

    /// <summary>The apex in wire form.</summary>
    public byte[] Apex { get; } = apex;

    public byte[] SoaTail { get; } = soaTail;
    public byte[] NsTail { get; } = nsTail;
    public uint NegativeTtl { get; } = negativeTtl;
}
