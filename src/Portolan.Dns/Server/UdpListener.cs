using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;

namespace Portolan.Dns.Server;

/// <summary>
/// Serves DNS over one UDP socket with several receive loops. Each loop owns its receive and send buffers, its
/// peer address and its <see cref="Random"/>, and reuses them for every datagram, so steady-state serving
/// allocates nothing (the SocketAddress overloads of ReceiveFrom/SendTo don't). A failure on one datagram
/// costs that datagram only.
/// </summary>
internal sealed partial class UdpListener(Socket socket, DnsQueryProcessor processor, ILogger logger) : IAsyncDisposable
{
    /// <summary>Large enough for any datagram, so a client can't make us read half a message.</summary>
    private const int ReceiveBufferSize = 65535;

    private readonly CancellationTokenSource _stop = new();
    private Task[] _loops = [];

    public IPEndPoint LocalEndPoint => (IPEndPoint)socket.LocalEndPoint!;

    public static Socket Bind(IPEndPoint endPoint)
    {
        var socket = new Socket(endPoint.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        try
        {
            // A bigger kernel queue rides out bursts; the kernel may cap it (net.core.rmem_max), which is fine.
            socket.ReceiveBufferSize = 4 << 20;
            socket.Bind(endPoint);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    public void Start(int loops)
    {
        _loops = new Task[loops];
        for (var i = 0; i < loops; i++)
        {
            _loops[i] = Task.Run(() => ReceiveLoopAsync(_stop.Token));
        }
    }

    private async Task ReceiveLoopAsync(CancellationToken ct)
    {
        var receive = GC.AllocateUninitializedArray<byte>(ReceiveBufferSize, pinned: true);
        var send = GC.AllocateUninitializedArray<byte>(processor.MinResponseBuffer, pinned: true);
        var peer = new SocketAddress(socket.AddressFamily);
        var random = new Random();
        while (!ct.IsCancellationRequested)
        {
            int received;
            try
            {
                received = await socket.ReceiveFromAsync(receive, SocketFlags.None, peer, ct);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (SocketException e)
            {
                // ConnectionReset (an ICMP error for an earlier reply), MessageSize and the like: one datagram lost.
                if (logger.IsEnabled(LogLevel.Debug)) LogReceiveFailed(logger, e.SocketErrorCode);
                continue;
            }

            int length;
            try
            {
                length = processor.Process(receive.AsSpan(0, received), send, overUdp: true, random);
            }
            catch (Exception e)
            {
                // A bug, not bad input (bad input gets FORMERR): log it and keep serving.
                LogRequestFailed(logger, e);
                continue;
            }

            if (length == 0) continue;
            try
            {
                await socket.SendToAsync(send.AsMemory(0, length), SocketFlags.None, peer, ct);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (SocketException e)
            {
                if (logger.IsEnabled(LogLevel.Debug)) LogReceiveFailed(logger, e.SocketErrorCode);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await Task.WhenAll(_loops);
        socket.Dispose();
        _stop.Dispose();
    }

    [LoggerMessage(DnsEventIds.UdpReceiveFailed, LogLevel.Debug, "DNS UDP datagram lost: {Error}.")]
    private static partial void LogReceiveFailed(ILogger logger, SocketError error);

    [LoggerMessage(DnsEventIds.RequestFailed, LogLevel.Error, "DNS request processing failed; the request got no reply.")]
    private static partial void LogRequestFailed(ILogger logger, Exception exception);
}
