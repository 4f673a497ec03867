namespace Portolan.Dns.Wire;

/// <summary>Resource record types Portolan reads or writes (RFC 1035, 3596, 2782, 6891, 8482).</summary>
internal static class DnsType
{
    public const ushort A = 1;
    public const ushort NS = 2;
    public const ushort CNAME = 5;
    public const ushort SOA = 6;
    public const ushort AAAA = 28;
    public const ushort SRV = 33;
    public const ushort OPT = 41;
    public const ushort IXFR = 251;
    public const ushort AXFR = 252;
    public const ushort ANY = 255;
}

/// <summary>Record classes (RFC 1035 §3.2.4).</summary>
internal static class DnsClass
{
    public const ushort IN = 1;
    public const ushort ANY = 255;
}

/// <summary>Response codes. Values above 15 travel partly in the OPT record (RFC 6891 §6.1.3).</summary>
internal static class DnsRCode
{
    public const int NoError = 0;
    public const int FormErr = 1;
    public const int ServFail = 2;
    public const int NXDomain = 3;
    public const int NotImp = 4;
    public const int Refused = 5;
    public const int BadVers = 16;
}

/// <summary>Bits of the 16-bit flags word of the header (RFC 1035 §4.1.1).</summary>
internal static class DnsFlags
{
    public const ushort QR = 0x8000;
    public const ushort OpcodeMask = 0x7800;
    public const ushort AA = 0x0400;
    public const ushort TC = 0x0200;
    public const ushort RD = 0x0100;
    public const ushort RA = 0x0080;
    public const ushort RCodeMask = 0x000F;
}

/// <summary>Sizes the protocol fixes.</summary>
internal static class DnsLimits
{
    public const int HeaderSize = 12;

    /// <summary>A name in wire form, length octets and root included (RFC 1035 §2.3.4).</summary>
    public const int MaxNameLength = 255;
    public const int MaxLabelLength = 63;

    /// <summary>The UDP payload every client accepts without EDNS (RFC 1035 §4.2.1).</summary>
    public const int ClassicUdpPayload = 512;
    public const int MaxMessageSize = 65535;

    /// <summary>
    /// Compression pointers followed while reading one name. Each pointer must also go strictly backwards, which
    /// alone guarantees termination; the cap bounds the work per name. Real encoders need one or two.
    /// </summary>
    public const int MaxPointerHops = 16;

    /// <summary>An OPT record with no options: root name, type, class, TTL, RDLENGTH.</summary>
    public const int OptRecordSize = 11;
}
