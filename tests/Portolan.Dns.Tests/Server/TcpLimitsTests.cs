using System.Buffers.Binary;
using System.Net.Sockets;
using Portolan.Dns.Server;
using Portolan.Dns.Tests.Support;
using Portolan.Dns.Wire;

namespace Portolan.Dns.Tests.Server;

/// <summary>
/// TCP framing and limits on hosts of their own: a small connection cap, reached quickly; a short idle timeout on
/// a separate host, so that on a busy machine no other test's connection is closed while it waits for a slot.
/// </summary>
public sealed class TcpLimitsTests : IAsyncLifetime
{
    private const int MaxConnections = 4;
    private readonly DnsHost _host = new(o => o.MaxTcpConnections = MaxConnections);
    private readonly DnsHost _impatient = new(o => o.TcpIdleTimeout = TimeSpan.FromSeconds(1));

    public async Task InitializeAsync()
    {
        await _host.InitializeAsync();
        await _impatient.InitializeAsync();
    }

    public async Task DisposeAsync()
    {
        await _impatient.DisposeAsync();
        await _host.DisposeAsync();
    }

    private Task<Socket> ConnectAsync() => ConnectAsync(_host);

    private static async Task<Socket> ConnectAsync(DnsHost host)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(host.EndPoint);
        return socket;
    }

    private static async Task SendFramedAsync(Socket socket, byte[] message)
    {
        var framed = new byte[2 + message.Length];
        BinaryPrimitives.WriteUInt16BigEndian(framed, (ushort)message.Length);
        message.CopyTo(framed, 2);
        await socket.SendAsync(framed, SocketFlags.None);
    }

    /// <summary>Reads one framed reply, or null when the server closed the connection.</summary>
    private static async Task<Reply?> ReceiveFramedAsync(Socket socket)
    {
        var prefix = new byte[2];
        if (!await ReadExactlyAsync(socket, prefix)) return null;
        var body = new byte[BinaryPrimitives.ReadUInt16BigEndian(prefix)];
        return await ReadExactlyAsync(socket, body) ? Reply.Parse(body) : null;
    }

    private static async Task<bool> ReadExactlyAsync(Socket socket, Memory<byte> buffer)
    {
        while (buffer.Length > 0)
        {
            int read;
            try
            {
                read = await socket.ReceiveAsync(buffer, SocketFlags.None).AsTask().WaitAsync(TimeSpan.FromSeconds(20));
            }
            catch (SocketException)
            {
                return false;
            }

            if (read == 0) return false;
            buffer = buffer[read..];
        }

        return true;
    }

    [Fact]
    public async Task SeveralQueriesOnOneConnection_AreAnsweredInOrder()
    {
        using var socket = await ConnectAsync();
        // Pipelined: both sent before either reply is read.
        await SendFramedAsync(socket, Query.Build("one.example", DnsType.A, id: 1));
        await SendFramedAsync(socket, Query.Build("two.example", DnsType.A, id: 2));

        Assert.Equal(1, (await ReceiveFramedAsync(socket))!.Id);
        Assert.Equal(2, (await ReceiveFramedAsync(socket))!.Id);
    }

    [Fact]
    public async Task StalledClient_IsClosedAfterIdleTimeoutWithoutBlockingOthers()
    {
        using var stalled = await ConnectAsync(_impatient);
        await stalled.SendAsync(new byte[] { 0 }, SocketFlags.None); // half a length prefix, then nothing

        using var other = await ConnectAsync(_impatient);
        await SendFramedAsync(other, Query.Build("x.example", DnsType.A, id: 9));
        Assert.Equal(9, (await ReceiveFramedAsync(other))!.Id);

        Assert.Null(await ReceiveFramedAsync(stalled));
    }

    [Fact]
    public async Task ConnectionsBeyondTheCap_AreClosedAtOnce()
    {
        var open = new List<Socket>();
        try
        {
            for (var i = 0; i < MaxConnections; i++)
            {
                var socket = await ConnectAsync();
                // A full round trip proves the server counts this connection before the next is opened.
                await SendFramedAsync(socket, Query.Build("x.example", DnsType.A, id: (ushort)i));
                Assert.NotNull(await ReceiveFramedAsync(socket));
                open.Add(socket);
            }

            using var extra = await ConnectAsync();
            await SendFramedAsync(extra, Query.Build("x.example", DnsType.A));
            Assert.Null(await ReceiveFramedAsync(extra));
        }
        finally
        {
            foreach (var socket in open) socket.Dispose();
        }
    }

    [Fact]
    public async Task ZeroLengthOrResponseMessage_ClosesTheConnection()
    {
        using var zero = await ConnectAsync();
        await zero.SendAsync(new byte[] { 0, 0 }, SocketFlags.None);
        Assert.Null(await ReceiveFramedAsync(zero));

        using var response = await ConnectAsync();
        await SendFramedAsync(response, Query.Build("x.example", DnsType.A, flags: 0x8000));
        Assert.Null(await ReceiveFramedAsync(response));
    }

    [Fact]
    public async Task GarbageOverTcp_GetsFormErrAndTheConnectionStaysUsable()
    {
        using var socket = await ConnectAsync();
        await SendFramedAsync(socket, [0x12, 0x34, 0x01, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xC0, 0x0C, 0, 1, 0, 1]);
        var formerr = await ReceiveFramedAsync(socket);
        Assert.Equal(DnsRCode.FormErr, formerr!.RCode);

        await SendFramedAsync(socket, Query.Build("x.example", DnsType.A, id: 77));
        Assert.Equal(DnsRCode.Refused, (await ReceiveFramedAsync(socket))!.RCode);
    }
}
