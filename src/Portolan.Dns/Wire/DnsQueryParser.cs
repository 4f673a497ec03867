using System.Buffers.Binary;

namespace Portolan.Dns.Wire;

/// <summary>
/// Parses a request from a span without allocating: the header, the single question, and the OPT record if
/// any. Answer and authority records in a query are validated and skipped. Counts that promise more records
/// than the packet holds make it malformed; bytes after the last counted record are ignored.
/// </summary>
internal static class DnsQueryParser
{
    /// <param name="message">The request as received.</param>
    /// <param name="questionName">At least 255 octets; receives the question name.</param>
    /// <param name="query">The parsed fields; partly filled when the status is not <see cref="QueryParseStatus.Ok"/>.</param>
    public static QueryParseStatus Parse(ReadOnlySpan<byte> message, Span<byte> questionName, out DnsQuery query)
    {
        query = default;
        if (message.Length < DnsLimits.HeaderSize) return QueryParseStatus.Drop;
        query.Id = BinaryPrimitives.ReadUInt16BigEndian(message);
        query.Flags = BinaryPrimitives.ReadUInt16BigEndian(message[2..]);
        if ((query.Flags & DnsFlags.QR) != 0) return QueryParseStatus.Drop;
        if (query.OpCode != 0) return QueryParseStatus.NotImplemented;

        var qdCount = BinaryPrimitives.ReadUInt16BigEndian(message[4..]);
        var anCount = BinaryPrimitives.ReadUInt16BigEndian(message[6..]);
        var nsCount = BinaryPrimitives.ReadUInt16BigEndian(message[8..]);
        var arCount = BinaryPrimitives.ReadUInt16BigEndian(message[10..]);
        // One question per message: that is what every server implements (RFC 9619).
        if (qdCount != 1) return QueryParseStatus.FormatError;

        if (DnsNameReader.TryRead(message, DnsLimits.HeaderSize, questionName, out var nameLength, out var pos) != NameReadStatus.Ok
            || pos + 4 > message.Length)
        {
            return QueryParseStatus.FormatError;
        }

        query.QuestionNameLength = nameLength;
        query.QuestionType = BinaryPrimitives.ReadUInt16BigEndian(message[pos..]);
        query.QuestionClass = BinaryPrimitives.ReadUInt16BigEndian(message[(pos + 2)..]);
        query.HasQuestion = true;
        pos += 4;
        if (query.QuestionType == DnsType.OPT) return QueryParseStatus.FormatError;

        Span<byte> scratch = stackalloc byte[DnsLimits.MaxNameLength];
        for (var i = 0; i < anCount + nsCount; i++)
        {
            if (!TrySkipRecord(message, ref pos, scratch, out _, out _)) return QueryParseStatus.FormatError;
        }

        for (var i = 0; i < arCount; i++)
        {
            var recordStart = pos;
            if (!TrySkipRecord(message, ref pos, scratch, out var type, out var ownerLength)) return QueryParseStatus.FormatError;
            if (type != DnsType.OPT) continue;
            // One OPT, owned by the root (RFC 6891 §6.1.1).
            if (query.HasEdns || ownerLength != 1) return QueryParseStatus.FormatError;
            if (!TryReadOpt(message, recordStart + 1, ref query)) return QueryParseStatus.FormatError;
        }

        return query.HasEdns && query.EdnsVersion != 0 ? QueryParseStatus.BadVersion : QueryParseStatus.Ok;
    }

    private static bool TrySkipRecord(ReadOnlySpan<byte> message, ref int pos, Span<byte> scratch, out ushort type, out int ownerLength)
    {
        type = 0;
        if (DnsNameReader.TryRead(message, pos, scratch, out ownerLength, out var end) != NameReadStatus.Ok) return false;
        if (end + 10 > message.Length) return false;
        type = BinaryPrimitives.ReadUInt16BigEndian(message[end..]);
        var rdLength = BinaryPrimitives.ReadUInt16BigEndian(message[(end + 8)..]);
        var next = end + 10 + rdLength;
        if (next > message.Length) return false;
        pos = next;
        return true;
    }

    /// <summary>Reads OPT's fixed fields (at <paramref name="pos"/>, just past its root owner) and checks its options' framing.</summary>
    private static bool TryReadOpt(ReadOnlySpan<byte> message, int pos, ref DnsQuery query)
    {
        query.HasEdns = true;
        query.EdnsUdpSize = BinaryPrimitives.ReadUInt16BigEndian(message[(pos + 2)..]);
        query.EdnsVersion = message[pos + 5];
        query.DnssecOk = (message[pos + 6] & 0x80) != 0;
        var rdLength = BinaryPrimitives.ReadUInt16BigEndian(message[(pos + 8)..]);
        var options = message.Slice(pos + 10, rdLength);
        while (options.Length > 0)
        {
            if (options.Length < 4) return false;
            var optionLength = BinaryPrimitives.ReadUInt16BigEndian(options[2..]);
            if (4 + optionLength > options.Length) return false;
            options = options[(4 + optionLength)..];
        }

        return true;
    }
}
