namespace Portolan.Dns.Wire;

/// <summary>
/// What a parsed query asks. The question name itself lives in the caller's scratch buffer
/// (<see cref="QuestionNameLength"/> octets, uncompressed, in the case the client sent).
/// </summary>
internal struct DnsQuery
{
    public ushort Id;

    /// <summary>The request's flags word as sent (opcode and RD are echoed from it).</summary>
    public ushort Flags;

    public int QuestionNameLength;
    public ushort QuestionType;
    public ushort QuestionClass;

    /// <summary>True when the question was read, so a reply can echo it (even a FORMERR).</summary>
    public bool HasQuestion;

    /// <summary>True when the request carries an OPT record (RFC 6891).</summary>
    public bool HasEdns;

    /// <summary>The client's UDP payload size from OPT's class field; meaningful when <see cref="HasEdns"/>.</summary>
    public ushort EdnsUdpSize;

    public byte EdnsVersion;

    /// <summary>The DO bit, echoed in the reply's OPT as RFC 3225 asks.</summary>
    public bool DnssecOk;

    public readonly int OpCode => (Flags & DnsFlags.OpcodeMask) >> 11;
}
