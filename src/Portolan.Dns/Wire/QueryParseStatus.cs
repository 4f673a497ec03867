namespace Portolan.Dns.Wire;

/// <summary>What to do with a request after parsing it.</summary>
internal enum QueryParseStatus
{
    /// <summary>A well-formed standard query with one question.</summary>
    Ok,

    /// <summary>
    /// Send nothing: shorter than a header, or a response (QR=1; answering those would let two servers
    /// bounce packets at each other forever).
    /// </summary>
    Drop,

    /// <summary>Malformed: answer FORMERR (echoing the question when <see cref="DnsQuery.HasQuestion"/>).</summary>
    FormatError,

    /// <summary>An opcode other than QUERY: answer NOTIMP.</summary>
    NotImplemented,

    /// <summary>EDNS version above 0: answer BADVERS (RFC 6891 §6.1.3).</summary>
    BadVersion,
}
