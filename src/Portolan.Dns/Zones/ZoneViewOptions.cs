namespace Portolan.Dns.Zones;

/// <summary>How zones are presented: the names in every namespace's SOA and NS records.</summary>
public sealed class ZoneViewOptions
{
    /// <summary>
    /// The name server named by every zone's NS record and SOA MNAME.
    /// </summary>
    /// <remarks>
    /// Defaults to <c>portolan.localhost</c>: every <c>*.localhost</c> name is loopback (RFC 6761), which is where
    /// Portolan's DNS listens by default. Set it to the host's name when Portolan serves other machines.
    /// </remarks>
    public string NameServer { get; set; } = "portolan.localhost";

    /// <summary>The mailbox in SOA RNAME, as a name (<c>hostmaster.portolan.localhost</c> is hostmaster@portolan.localhost).</summary>
    /// <remarks>Defaults to <c>hostmaster.portolan.localhost</c>.</remarks>
    public string Hostmaster { get; set; } = "hostmaster.portolan.localhost";
}
