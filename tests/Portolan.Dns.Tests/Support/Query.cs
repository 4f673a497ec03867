using System.Buffers.Binary;
using System.Text;

namespace Portolan.Dns.Tests.Support;

/// <summary>Builds request packets by hand, including ones no client library would send.</summary>
internal static class Query
{
    /// <summary>A standard query for <paramref name="name"/> (dotted), with an OPT record when <paramref name="ednsSize"/> is given.</summary>
    public static byte[] Build(string name, ushort type, ushort? ednsSize = null, ushort id = 0x1234, ushort flags = 0x0100,
        ushort @class = 1, byte ednsVersion = 0, bool dnssecOk = false)
    {
        var packet = new List<byte>();
        packet.AddRange(Header(id, flags, qd: 1, an: 0, ns: 0, ar: (ushort)(ednsSize is null ? 0 : 1)));
        packet.AddRange(Name(name));
        packet.AddRange(U16(type));
        packet.AddRange(U16(@class));
        if (ednsSize is { } size) packet.AddRange(Opt(size, ednsVersion, dnssecOk));
        return [.. packet];
    }

    public static byte[] Header(ushort id, ushort flags, ushort qd, ushort an, ushort ns, ushort ar) =>
        [.. U16(id), .. U16(flags), .. U16(qd), .. U16(an), .. U16(ns), .. U16(ar)];

    public static byte[] Name(string dotted)
    {
        var bytes = new List<byte>();
        foreach (var label in dotted.TrimEnd('.').Split('.', StringSplitOptions.RemoveEmptyEntries))
        {
            bytes.Add((byte)label.Length);
            bytes.AddRange(Encoding.ASCII.GetBytes(label));
        }

        bytes.Add(0);
        return [.. bytes];
    }

    public static byte[] Opt(ushort size, byte version = 0, bool dnssecOk = false, byte[]? options = null)
    {
        options ??= [];
        return [0, .. U16(41), .. U16(size), 0, version, (byte)(dnssecOk ? 0x80 : 0), 0, .. U16((ushort)options.Length), .. options];
    }

    public static byte[] U16(ushort value)
    {
        var bytes = new byte[2];
        BinaryPrimitives.WriteUInt16BigEndian(bytes, value);
        return bytes;
    }
}
