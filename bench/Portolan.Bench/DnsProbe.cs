using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Portolan.Bench;

/// <summary>
/// A bare UDP DNS client for the propagation step: one connected socket, one A query, the answer's IPv4
/// addresses. Small and synchronous on purpose, so a poll costs one loopback round trip (tens of microseconds)
/// and the measured delay is the server's, not a client library's.
/// </summary>
internal sealed class DnsProbe : IDisposable
{
    private const ushort TypeA = 1;
    private readonly Socket _socket;
    private readonly byte[] _query;
    private readonly byte[] _reply = new byte[4096];
    private ushort _id;

    public DnsProbe(IPEndPoint server, string name)
    {
        _socket = new Socket(server.AddressFamily, SocketType.Dgram, ProtocolType.Udp) { ReceiveTimeout = 1000 };
        _socket.Connect(server);
        _query = BuildQuery(name, TypeA);
        _id = (ushort)Random.Shared.Next();
    }

    /// <summary>Whether the A answer for the name holds <paramref name="address"/> (retries a lost datagram once a second).</summary>
    public bool Holds(uint address)
    {
        while (true)
        {
            _id++;
            BinaryPrimitives.WriteUInt16BigEndian(_query, _id);
            _socket.Send(_query);
            int length;
            try
            {
                do length = _socket.Receive(_reply);
                while (length < 12 || BinaryPrimitives.ReadUInt16BigEndian(_reply) != _id);
            }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.TimedOut)
            {
                continue;
            }

            return AnswerHolds(_reply.AsSpan(0, length), address);
        }
    }

    public static uint ToUInt32(string ipv4) => BinaryPrimitives.ReadUInt32BigEndian(IPAddress.Parse(ipv4).GetAddressBytes());

    private static byte[] BuildQuery(string name, ushort type)
    {
        var q = new List<byte> { 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0 }; // id, flags (no RD), QDCOUNT 1
        foreach (var label in name.TrimEnd('.').Split('.'))
        {
            q.Add((byte)label.Length);
            q.AddRange(Encoding.ASCII.GetBytes(label));
        }

        q.AddRange([0, (byte)(type >> 8), (byte)type, 0, 1]);
        return [.. q];
    }

    /// <summary>Walks the answer section for A records equal to <paramref name="address"/>.</summary>
    private static bool AnswerHolds(ReadOnlySpan<byte> m, uint address)
    {
        var answers = BinaryPrimitives.ReadUInt16BigEndian(m[6..]);
        var at = SkipName(m, 12) + 4; // the question
        for (var i = 0; i < answers; i++)
        {
            at = SkipName(m, at);
            var type = BinaryPrimitives.ReadUInt16BigEndian(m[at..]);
            var rdLength = BinaryPrimitives.ReadUInt16BigEndian(m[(at + 8)..]);
            at += 10;
            if (type == TypeA && rdLength == 4 && BinaryPrimitives.ReadUInt32BigEndian(m[at..]) == address) return true;
            at += rdLength;
        }

        return false;
    }

    private static int SkipName(ReadOnlySpan<byte> m, int at)
    {
        while (m[at] != 0)
        {
            if ((m[at] & 0xC0) == 0xC0) return at + 2;
            at += m[at] + 1;
        }

        return at + 1;
    }

    public void Dispose() => _socket.Dispose();
}
