using System.Buffers;
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
internal sealed partial class UdpListener(Socket socket, DnsQueryProcessor processor, UpstreamForwarder forwarder, ILogger logger) : IAsyncDisposable
{
    /// <summary>Large enough for any datagram, so a client can't make us read half a message.</summary>
    private const int ReceiveBufferSize = 65535;

    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _lock = new();
    private readonly HashSet<Task> _forwards = [];
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

            if (length == DnsQueryProcessor.Forward)
            {
                if (TryStartForward(receive.AsSpan(0, received), peer, ct)) continue;
                // Every forwarding slot is busy: fail fast rather than queue without bound.
                length = processor.Fail(receive.AsSpan(0, received), send, overUdp: true, Wire.DnsRCode.ServFail);
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

    /// <summary>
    /// Relays a query off the receive loop (an upstream may take seconds; the loop must not wait for it), with
    /// its own copies of the request and the peer's address.
    /// </summary>
    private bool TryStartForward(ReadOnlySpan<byte> request, SocketAddress peer, CancellationToken ct)
    {
        if (!forwarder.TryAcquire()) return false;
        var copy = ArrayPool<byte>.Shared.Rent(request.Length);
        request.CopyTo(copy);
        var to = new SocketAddress(peer.Family, peer.Size);
        peer.Buffer.CopyTo(to.Buffer);
        lock (_lock)
        {
            var task = ForwardAsync(copy, request.Length, to, ct);
            _forwards.Add(task);
            _ = task.ContinueWith(static (t, state) =>
            {
                var self = (UdpListener)state!;
                lock (self._lock) self._forwards.Remove(t);
            }, this, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }

        return true;
    }

    private async Task ForwardAsync(byte[] request, int length, SocketAddress peer, CancellationToken ct)
    {
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        await Task.Yield();
        var response = ArrayPool<byte>.Shared.Rent(Wire.DnsLimits.MaxMessageSize);
        try
        {
            var written = await forwarder.ExchangeAsync(request.AsMemory(0, length), response, overUdp: true, ct);
            if (written == 0)
            {
                written = processor.Fail(request.AsSpan(0, length), response, overUdp: true, Wire.DnsRCode.ServFail, started: started);
            }
            else if (written > processor.UdpLimit(request.AsSpan(0, length)))
            {
                // Bigger than this client takes over UDP: it retries over TCP, which is forwarded over TCP.
                written = processor.Fail(request.AsSpan(0, length), response, overUdp: true, Wire.DnsRCode.NoError, truncated: true, started: started);
            }
            else
            {
                processor.CountForwarded(request.AsSpan(0, length), response.AsSpan(0, written), overUdp: true, started);
            }

            if (written > 0) await socket.SendToAsync(response.AsMemory(0, written), SocketFlags.None, peer, ct);
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException)
        {
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(response);
            ArrayPool<byte>.Shared.Return(request);
            forwarder.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await Task.WhenAll(_loops);
        Task[] forwards;
        lock (_lock) forwards = [.. _forwards];
        await Task.WhenAll(forwards);
        socket.Dispose();
        _stop.Dispose();
    }

    [LoggerMessage(DnsEventIds.UdpReceiveFailed, LogLevel.Debug, "DNS UDP datagram lost: {Error}.")]
    private static partial void LogReceiveFailed(ILogger logger, SocketError error);

    [LoggerMessage(DnsEventIds.RequestFailed, LogLevel.Error, "DNS request processing failed; the request got no reply.")]
    private static partial void LogRequestFailed(ILogger logger, Exception exception);
}
