using System.Buffers.Binary;

namespace Portolan.Dns.Wire;

/// <summary>
/// Writes a reply into a caller's buffer without allocating. Every write checks the room left under
/// <see cref="Limit"/> and returns false instead of throwing, so the caller decides between dropping optional
/// data and setting TC (STYLE.md: results, not exceptions, on the hot path). A failed write leaves the
/// position where it was. Records are written as an owner (a compression pointer or a full name) followed by a
/// precomputed tail: TYPE, CLASS, TTL, RDLENGTH and RDATA.
/// </summary>
internal ref struct DnsMessageWriter
{
    /// <summary>A compression pointer reaches the first 16 KiB of a message only (14 bits).</summary>
    public const int MaxPointerOffset = 0x3FFF;

    private readonly Span<byte> _buffer;
    private int _limit;

    /// <param name="buffer">Where the message goes; at least <see cref="DnsLimits.HeaderSize"/> octets.</param>
    /// <param name="limit">The largest message the client accepts.</param>
    public DnsMessageWriter(Span<byte> buffer, int limit)
    {
        _buffer = buffer;
        _limit = Math.Min(limit, buffer.Length);
        Position = DnsLimits.HeaderSize;
    }

    public int Position { get; private set; }

    /// <summary>The largest message size writes may reach; never more than the buffer.</summary>
    public int Limit
    {
        readonly get => _limit;
        set => _limit = Math.Min(value, _buffer.Length);
    }

    public ushort QuestionCount { get; private set; }
    public ushort AnswerCount { get; private set; }
    public ushort AuthorityCount { get; private set; }
    public ushort AdditionalCount { get; private set; }

    public readonly ReadOnlySpan<byte> Written => _buffer[..Position];

    /// <summary>Writes the question (name in the case the client sent it), which answers can then point to.</summary>
    public bool TryWriteQuestion(scoped ReadOnlySpan<byte> name, ushort type, ushort @class)
    {
        if (Position + name.Length + 4 > _limit) return false;
        name.CopyTo(_buffer[Position..]);
        var pos = Position + name.Length;
        BinaryPrimitives.WriteUInt16BigEndian(_buffer[pos..], type);
        BinaryPrimitives.WriteUInt16BigEndian(_buffer[(pos + 2)..], @class);
        Position = pos + 4;
        QuestionCount++;
        return true;
    }

    /// <summary>Writes a record whose owner is already in the message at <paramref name="ownerOffset"/>.</summary>
    public bool TryWriteRecord(DnsSection section, int ownerOffset, scoped ReadOnlySpan<byte> tail)
    {
        if ((uint)ownerOffset > MaxPointerOffset || Position + 2 + tail.Length > _limit) return false;
        BinaryPrimitives.WriteUInt16BigEndian(_buffer[Position..], (ushort)(0xC000 | ownerOffset));
        tail.CopyTo(_buffer[(Position + 2)..]);
        Position += 2 + tail.Length;
        Count(section);
        return true;
    }

    /// <summary>Writes a record with its owner spelled out (uncompressed wire form).</summary>
    public bool TryWriteRecord(DnsSection section, scoped ReadOnlySpan<byte> owner, scoped ReadOnlySpan<byte> tail)
    {
        if (Position + owner.Length + tail.Length > _limit) return false;
        owner.CopyTo(_buffer[Position..]);
        tail.CopyTo(_buffer[(Position + owner.Length)..]);
        Position += owner.Length + tail.Length;
        Count(section);
        return true;
    }

    /// <summary>
    /// Writes the OPT pseudo-record advertising <paramref name="udpPayloadSize"/> (RFC 6891 §6.1.2), with the
    /// upper eight bits of an extended rcode and the DO bit echoed.
    /// </summary>
    public bool TryWriteOpt(ushort udpPayloadSize, int rcode, bool dnssecOk)
    {
        if (Position + DnsLimits.OptRecordSize > _limit) return false;
        var opt = _buffer.Slice(Position, DnsLimits.OptRecordSize);
        opt[0] = 0;
        BinaryPrimitives.WriteUInt16BigEndian(opt[1..], DnsType.OPT);
        BinaryPrimitives.WriteUInt16BigEndian(opt[3..], udpPayloadSize);
        opt[5] = (byte)(rcode >> 4);
        opt[6] = 0; // version 0
        opt[7] = dnssecOk ? (byte)0x80 : (byte)0;
        opt[8] = 0;
        BinaryPrimitives.WriteUInt16BigEndian(opt[9..], 0);
        Position += DnsLimits.OptRecordSize;
        AdditionalCount++;
        return true;
    }

    /// <summary>Goes back to an earlier <paramref name="position"/> with the section counts as they were then.</summary>
    public void Rewind(int position, ushort answers, ushort authorities, ushort additionals)
    {
        Position = position;
        AnswerCount = answers;
        AuthorityCount = authorities;
        AdditionalCount = additionals;
    }

    /// <summary>Removes every record, keeping header and question: what a TC=1 reply carries.</summary>
    public void Truncate(int questionEnd) => Rewind(questionEnd, 0, 0, 0);

    /// <summary>Fills in the header: id, flags (with the low four rcode bits) and the section counts.</summary>
    public readonly void WriteHeader(ushort id, ushort flags, int rcode)
    {
        BinaryPrimitives.WriteUInt16BigEndian(_buffer, id);
        BinaryPrimitives.WriteUInt16BigEndian(_buffer[2..], (ushort)((flags & ~DnsFlags.RCodeMask) | (rcode & 0xF)));
        BinaryPrimitives.WriteUInt16BigEndian(_buffer[4..], QuestionCount);
        BinaryPrimitives.WriteUInt16BigEndian(_buffer[6..], AnswerCount);
        BinaryPrimitives.WriteUInt16BigEndian(_buffer[8..], AuthorityCount);
        BinaryPrimitives.WriteUInt16BigEndian(_buffer[10..], AdditionalCount);
    }

    private void Count(DnsSection section)
    {
        switch (section)
        {
            case DnsSection.Answer: AnswerCount++; break;
            case DnsSection.Authority: AuthorityCount++; break;
            default: AdditionalCount++; break;
        }
    }
}
