using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Portolan.Health.Bench;

/// <summary>A minimal UDP DNS client: asks for the A records of one name and returns the addresses in the answer.</summary>
internal sealed class DnsProbe(IPEndPoint server) : IDisposable
{
    private readonly Socket _socket = new(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
    private readonly byte[] _reply = new byte[1232];
    private ushort _id;

    public async Task<HashSet<string>> QueryAAsync(string name, CancellationToken ct)
    {
        var query = Build(name, ++_id);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(2));
        await _socket.SendToAsync(query, server, timeout.Token);
        while (true)
        {
            var received = await _socket.ReceiveFromAsync(_reply, new IPEndPoint(IPAddress.Any, 0), timeout.Token);
            if (received.ReceivedBytes >= 12 && BinaryPrimitives.ReadUInt16BigEndian(_reply) == _id) return Parse(_reply.AsSpan(0, received.ReceivedBytes));
        }
    }

    private static byte[] Build(string name, ushort id)
    {
        var q = new List<byte>(64);
        q.AddRange([(byte)(id >> 8), (byte)id, 0x00, 0x00, 0, 1, 0, 0, 0, 0, 0, 0]);
        foreach (var label in name.TrimEnd('.').Split('.'))
        {
            q.Add((byte)label.Length);
            q.AddRange(Encoding.ASCII.GetBytes(label));
        }
        q.AddRange([0, 0, 1, 0, 1]);
        return [.. q];
    }

    private static HashSet<string> Parse(ReadOnlySpan<byte> m)
    {
        var answers = BinaryPrimitives.ReadUInt16BigEndian(m[6..]);
        var at = SkipName(m, 12) + 4;
        var found = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < answers; i++)
        {
            at = SkipName(m, at);
            var type = BinaryPrimitives.ReadUInt16BigEndian(m[at..]);
            var length = BinaryPrimitives.ReadUInt16BigEndian(m[(at + 8)..]);
            at += 10;
            if (type == 1 && length == 4) found.Add(new IPAddress(m.Slice(at, 4)).ToString());
            at += length;
        }
        return found;
    }

    private static int SkipName(ReadOnlySpan<byte> m, int at)
    {
        while (true)
        {
            var len = m[at];
            if (len == 0) return at + 1;
            if ((len & 0xC0) == 0xC0) return at + 2;
            at += len + 1;
        }
    }

    public void Dispose() => _socket.Dispose();
}
