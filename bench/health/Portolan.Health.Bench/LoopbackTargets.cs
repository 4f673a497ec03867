using System.Net;
using System.Net.Sockets;

namespace Portolan.Health.Bench;

/// <summary>
/// Many cheap HTTP/1.1 endpoints on loopback: one listening socket per (address, port) in 127.0.1.0/24, each
/// connection answering every request with a fixed 200 and keeping the connection open. Distinct endpoints, so
/// the prober keeps one pooled connection per target as it would against real services.
/// </summary>
internal sealed class LoopbackTargets : IDisposable
{
    private static readonly byte[] Ok = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"u8.ToArray();
    private readonly List<Socket> _listeners = [];
    private readonly CancellationTokenSource _stop = new();

    /// <summary>127.0.1.<paramref name="firstAddress"/> .. 127.0.1.<paramref name="lastAddress"/>, each on <paramref name="ports"/> ports from <paramref name="basePort"/>.</summary>
    public static IEnumerable<IPEndPoint> EndPoints(int firstAddress, int lastAddress, int ports, int basePort)
    {
        for (var a = firstAddress; a <= lastAddress; a++)
        {
            for (var p = 0; p < ports; p++) yield return new IPEndPoint(IPAddress.Parse($"127.0.1.{a}"), basePort + p);
        }
    }

    public void Start(IEnumerable<IPEndPoint> endPoints)
    {
        foreach (var ep in endPoints)
        {
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            socket.Bind(ep);
            socket.Listen(128);
            _listeners.Add(socket);
            _ = AcceptAsync(socket);
        }
    }

    private async Task AcceptAsync(Socket listener)
    {
        try
        {
            while (true) _ = ServeAsync(await listener.AcceptAsync(_stop.Token));
        }
        catch (Exception) when (_stop.IsCancellationRequested)
        {
        }
    }

    private async Task ServeAsync(Socket client)
    {
        var buffer = new byte[1024];
        var seen = 0; // bytes of "\r\n\r\n" matched so far, across reads
        try
        {
            while (true)
            {
                var n = await client.ReceiveAsync(buffer, _stop.Token);
                if (n == 0) break;
                for (var i = 0; i < n; i++)
                {
                    seen = buffer[i] == (seen % 2 == 0 ? '\r' : '\n') ? seen + 1 : buffer[i] == '\r' ? 1 : 0;
                    if (seen == 4)
                    {
                        await client.SendAsync(Ok, _stop.Token);
                        seen = 0;
                    }
                }
            }
        }
        catch (Exception)
        {
            // Peer gone or stopping.
        }
        finally
        {
            client.Dispose();
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        foreach (var s in _listeners) s.Dispose();
        _stop.Dispose();
    }
}
