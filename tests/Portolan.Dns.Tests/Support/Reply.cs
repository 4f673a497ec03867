using System.Buffers.Binary;
using System.Net;
using System.Text;

namespace Portolan.Dns.Tests.Support;

/// <summary>
/// A decoded reply. Written independently of the server's reader (its own decompression) so the two can't
/// share a mistake.
/// </summary>
internal sealed class Reply
{
    public required ushort Id { get; init; }
    public required ushort Flags { get; init; }
    public int RCode { get; private set; }
    public bool Authoritative => (Flags & 0x0400) != 0;
    public bool Truncated => (Flags & 0x0200) != 0;
    public bool RecursionDesired => (Flags & 0x0100) != 0;
    public int OpCode => (Flags >> 11) & 0xF;
    public List<(string Name, ushort Type, ushort Class)> Questions { get; } = [];
    public List<Record> Answers { get; } = [];
    public List<Record> Authorities { get; } = [];
    public List<Record> Additionals { get; } = [];
    public Record? Opt => Additionals.FirstOrDefault(r => r.Type == 41);
    public int Length { get; init; }

    public sealed record Record(string Name, ushort Type, ushort Class, uint Ttl, byte[] Data, string DataText);

    public static Reply Parse(ReadOnlySpan<byte> message)
    {
        var flags = BinaryPrimitives.ReadUInt16BigEndian(message[2..]);
        var counts = new int[4];
        for (var i = 0; i < 4; i++) counts[i] = BinaryPrimitives.ReadUInt16BigEndian(message[(4 + 2 * i)..]);
        var pos = 12;
        var rcode = flags & 0xF;
        var reply = new Reply { Id = BinaryPrimitives.ReadUInt16BigEndian(message), Flags = flags, RCode = rcode, Length = message.Length };
        for (var i = 0; i < counts[0]; i++)
        {
            var name = ReadName(message, ref pos);
            reply.Questions.Add((name, BinaryPrimitives.ReadUInt16BigEndian(message[pos..]), BinaryPrimitives.ReadUInt16BigEndian(message[(pos + 2)..])));
            pos += 4;
        }

        List<Record>[] sections = [reply.Answers, reply.Authorities, reply.Additionals];
        for (var s = 0; s < 3; s++)
        {
            for (var i = 0; i < counts[s + 1]; i++) sections[s].Add(ReadRecord(message, ref pos));
        }

        if (pos != message.Length) throw new FormatException($"{message.Length - pos} octets after the last record.");
        // Extended rcodes keep their upper eight bits in OPT's TTL (RFC 6891 §6.1.3).
        if (reply.Opt is { } opt) reply.RCode |= (int)(opt.Ttl >> 24) << 4;
        return reply;
    }

    private static Record ReadRecord(ReadOnlySpan<byte> message, ref int pos)
    {
        var name = ReadName(message, ref pos);
        var type = BinaryPrimitives.ReadUInt16BigEndian(message[pos..]);
        var @class = BinaryPrimitives.ReadUInt16BigEndian(message[(pos + 2)..]);
        var ttl = BinaryPrimitives.ReadUInt32BigEndian(message[(pos + 4)..]);
        var length = BinaryPrimitives.ReadUInt16BigEndian(message[(pos + 8)..]);
        pos += 10;
        var data = message.Slice(pos, length).ToArray();
        var text = DataText(message, pos, type, data);
        pos += length;
        return new Record(name, type, @class, ttl, data, text);
    }

    private static string DataText(ReadOnlySpan<byte> message, int pos, ushort type, byte[] data)
    {
        switch (type)
        {
            case 1 or 28:
                return new IPAddress(data).ToString();
            case 2 or 5:
                return ReadName(message, ref pos);
            case 33:
                var p = pos + 6;
                return $"{BinaryPrimitives.ReadUInt16BigEndian(data)} {BinaryPrimitives.ReadUInt16BigEndian(data.AsSpan(2))} {BinaryPrimitives.ReadUInt16BigEndian(data.AsSpan(4))} {ReadName(message, ref p)}";
            case 6:
                var q = pos;
                var mname = ReadName(message, ref q);
                var rname = ReadName(message, ref q);
                var n = message.Slice(q, 20);
                return $"{mname} {rname} {BinaryPrimitives.ReadUInt32BigEndian(n)} {BinaryPrimitives.ReadUInt32BigEndian(n[4..])} {BinaryPrimitives.ReadUInt32BigEndian(n[8..])} {BinaryPrimitives.ReadUInt32BigEndian(n[12..])} {BinaryPrimitives.ReadUInt32BigEndian(n[16..])}";
            default:
                return Convert.ToHexString(data);
        }
    }

    /// <summary>Reads a name, following pointers (at most 32, to stay finite on a bad reply).</summary>
    public static string ReadName(ReadOnlySpan<byte> message, ref int pos)
    {
        var text = new StringBuilder();
        var p = pos;
        var jumped = false;
        for (var hops = 0; hops < 32;)
        {
            var length = message[p];
            if ((length & 0xC0) == 0xC0)
            {
                if (!jumped) pos = p + 2;
                jumped = true;
                p = ((length & 0x3F) << 8) | message[p + 1];
                hops++;
                continue;
            }

            if (length == 0)
            {
                if (!jumped) pos = p + 1;
                return text.Length == 0 ? "." : text.ToString();
            }

            text.Append(Encoding.ASCII.GetString(message.Slice(p + 1, length))).Append('.');
            p += 1 + length;
        }

        throw new FormatException("Too many compression pointers.");
    }
}
