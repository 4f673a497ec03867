using System.Net.Sockets;
using System.Text;
using System.Threading.Channels;

namespace Portolan.Health.Tests.Support;

/// <summary>
/// A minimal HTTP/1.1 target over a raw socket: answers every request 200 with keep-alive, and reports each
/// connection the client closes (numbered in order), which Kestrel does not expose.
/// </summary>
internal sealed class KeepAliveTarget
{
    private int _closed;

    public Channel<int> ClosedConnections { get; } = Channel.CreateUnbounded<int>();

    public static KeepAliveTarget Serve(TcpListener listener)
    {
        var target = new KeepAliveTarget();
        _ = Task.Run(async () =>
        {
            while (true)
            {
                TcpClient client;
                try
                {
                    client = await listener.AcceptTcpClientAsync();
                }
                catch (Exception e) when (e is SocketException or ObjectDisposedException)
                {
                    return;
                }
                _ = target.ServeAsync(client);
            }
        });
        return target;
    }

    private async Task ServeAsync(TcpClient client)
    {
        using var _ = client;
        var stream = client.GetStream();
        var buffer = new byte[4096];
        var pending = new StringBuilder();
        try
        {
            while (true)
            {
                var read = await stream.ReadAsync(buffer);
                if (read == 0) break;
                pending.Append(Encoding.ASCII.GetString(buffer, 0, read));
                while (pending.ToString().IndexOf("\r\n\r\n", StringComparison.Ordinal) is var end and >= 0)
                {
                    pending.Remove(0, end + 4);
                    await stream.WriteAsync("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: keep-alive\r\n\r\nok"u8.ToArray());
                }
            }
        }
        catch (IOException)
        {
        }

        ClosedConnections.Writer.TryWrite(Interlocked.Increment(ref _closed));
    }
}
