using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace Portolan.Dns.Wire;

/// <summary>
/// Builds the part of a record after its owner name (TYPE, CLASS IN, TTL, RDLENGTH, RDATA) once, when the zone
/// view is built, so answering is copying bytes. Names inside RDATA are written uncompressed: RFC 2782 forbids
/// compressing SRV targets, and a precomputed tail cannot know the offsets of the message it lands in.
/// </summary>
internal static class RecordTail
{
    private const int FixedSize = 10;

    public static byte[] A(uint ttl, IPAddress address) => Address(DnsType.A, ttl, address, AddressFamily.InterNetwork, 4);

    public static byte[] Aaaa(uint ttl, IPAddress address) => Address(DnsType.AAAA, ttl, address, AddressFamily.InterNetworkV6, 16);

    public static byte[] Cname(uint ttl, ReadOnlySpan<byte> target) => Name(DnsType.CNAME, ttl, target);

    public static byte[] Ns(uint ttl, ReadOnlySpan<byte> target) => Name(DnsType.NS, ttl, target);

    /// <summary>SRV RDATA: priority, weight, port, target (RFC 2782).</summary>
    public static byte[] Srv(uint ttl, ushort priority, ushort weight, ushort port, ReadOnlySpan<byte> target)
    {
        var tail = Start(DnsType.SRV, ttl, 6 + target.Length);
        BinaryPrimitives.WriteUInt16BigEndian(tail.AsSpan(FixedSize), priority);
        BinaryPrimitives.WriteUInt16BigEndian(tail.AsSpan(FixedSize + 2), weight);
        BinaryPrimitives.WriteUInt16BigEndian(tail.AsSpan(FixedSize + 4), port);
        target.CopyTo(tail.AsSpan(FixedSize + 6));
        return tail;
    }

    /// <summary>Offset of the target name inside an SRV tail, for pointing glue owners at it.</summary>
    public const int SrvTargetOffset = FixedSize + 6;

    public static byte[] Soa(uint ttl, ReadOnlySpan<byte> mname, ReadOnlySpan<byte> rname, uint serial, uint refresh, uint retry, uint expire, uint minimum)
    {
        var tail = Start(DnsType.SOA, ttl, mname.Length + rname.Length + 20);
        var rdata = tail.AsSpan(FixedSize);
        mname.CopyTo(rdata);
        rname.CopyTo(rdata[mname.Length..]);
        var numbers = rdata[(mname.Length + rname.Length)..];
        BinaryPrimitives.WriteUInt32BigEndian(numbers, serial);
        BinaryPrimitives.WriteUInt32BigEndian(numbers[4..], refresh);
        BinaryPrimitives.WriteUInt32BigEndian(numbers[8..], retry);
        BinaryPrimitives.WriteUInt32BigEndian(numbers[12..], expire);
        BinaryPrimitives.WriteUInt32BigEndian(numbers[16..], minimum);
        return tail;
    }

    /// <summary>A TTL as records carry it: Cloud Map's range is 0..2^31-1 (RFC 2181 §8); anything else is clamped.</summary>
    public static uint Ttl(long seconds) => (uint)Math.Clamp(seconds, 0, int.MaxValue);

    private static byte[] Address(ushort type, uint ttl, IPAddress address, AddressFamily family, int size)
    {
        if (address.AddressFamily != family) throw new ArgumentException($"Expected an {family} address.", nameof(address));
        var tail = Start(type, ttl, size);
        address.TryWriteBytes(tail.AsSpan(FixedSize), out _);
        return tail;
    }

    private static byte[] Name(ushort type, uint ttl, ReadOnlySpan<byte> target)
    {
        var tail = Start(type, ttl, target.Length);
        target.CopyTo(tail.AsSpan(FixedSize));
        return tail;
    }

    private static byte[] Start(ushort type, uint ttl, int rdLength)
    {
        var tail = new byte[FixedSize + rdLength];
        BinaryPrimitives.WriteUInt16BigEndian(tail, type);
        BinaryPrimitives.WriteUInt16BigEndian(tail.AsSpan(2), DnsClass.IN);
        BinaryPrimitives.WriteUInt32BigEndian(tail.AsSpan(4), ttl);
        BinaryPrimitives.WriteUInt16BigEndian(tail.AsSpan(8), (ushort)rdLength);
        return tail;
    }
}
