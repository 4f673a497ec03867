using System.Buffers;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;

namespace Portolan.Dns.Server;

/// <summary>
/// Serves DNS over UDP with one dedicated thread per receive loop, each making plain blocking
/// <c>recvfrom</c>/<c>sendto</c> calls: a query costs two system calls and no hand-off between threads (the
/// async socket path costs an epoll wake-up and a thread-pool dispatch per datagram, which halved throughput).
/// On Linux every loop has its own socket bound to the same address with SO_REUSEPORT, so the kernel spreads
/// clients over the loops without them contending for one socket (as NSD and Knot do); elsewhere the loops
/// share one socket. Each loop owns its buffers, peer address and <see cref="Random"/>, so steady-state serving
/// allocates nothing. A failure on one datagram costs that datagram only.
/// </summary>
internal sealed partial class UdpListener : IAsyncDisposable
{
    /// <summary>Large enough for any datagram, so a client can't make us read half a message.</summary>
    private const int ReceiveBufferSize = 65535;

    private readonly Socket[] _sockets;
    private readonly int _loops;
    private readonly int _batch;
    private readonly DnsQueryProcessor _processor;
    private readonly UpstreamForwarder _forwarder;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _lock = new();
    private readonly HashSet<Task> _forwards = [];
    private Task[] _running = [];
    private LoopStats?[] _stats = [];

    /// <param name="sockets">From <see cref="Bind"/>: one per loop, or one shared by every loop.</param>
    /// <param name="loops">Receive loops (threads).</param>
    /// <param name="batch">Datagrams per system call (recvmmsg/sendmmsg, Linux only); 1 = recvfrom/sendto.</param>
    /// <param name="processor">Answers the queries.</param>
    /// <param name="forwarder">Relays queries for names outside our zones.</param>
    /// <param name="logger">For datagrams lost to errors.</param>
    public UdpListener(Socket[] sockets, int loops, int batch, DnsQueryProcessor processor, UpstreamForwarder forwarder, ILogger logger)
    {
        if (sockets.Length != 1 && sockets.Length != loops) throw new ArgumentException("One socket, or one per loop.", nameof(sockets));
        (_sockets, _loops, _processor, _forwarder, _logger) = (sockets, loops, processor, forwarder, logger);
        _batch = OperatingSystem.IsLinux() ? batch : 1;
    }

    public IPEndPoint LocalEndPoint => (IPEndPoint)_sockets[0].LocalEndPoint!;

    /// <summary>
    /// Datagrams received, and bytes the receive loops allocated after setting up their buffers: the evidence that
    /// serving allocates nothing per query. Each loop updates its figures as a datagram or batch arrives (so they
    /// cover the work done up to the last one).
    /// </summary>
    public (long Datagrams, long AllocatedBytes) Stats =>
        (_stats.Sum(s => s is null ? 0 : Volatile.Read(ref s.Datagrams)), _stats.Sum(s => s is null ? 0 : Volatile.Read(ref s.AllocatedBytes)));

    /// <summary>One loop's counters, written by that loop only (allocated on its own thread, away from the others').</summary>
    private sealed class LoopStats
    {
        private readonly long _baseline = GC.GetAllocatedBytesForCurrentThread();
        public long Datagrams;
        public long AllocatedBytes;

        public void Update(long datagrams)
        {
            Volatile.Write(ref Datagrams, Datagrams + datagrams);
            Volatile.Write(ref AllocatedBytes, GC.GetAllocatedBytesForCurrentThread() - _baseline);
        }
    }

    /// <summary>Whether the loops get a socket each (SO_REUSEPORT balances datagrams across them only on Linux).</summary>
    public static bool SocketPerLoop => OperatingSystem.IsLinux();

    /// <summary>
    /// Binds the sockets for <paramref name="loops"/> receive loops: the first to <paramref name="endPoint"/>
    /// (port 0 lets the kernel pick), the others to the same address and port.
    /// </summary>
    public static Socket[] Bind(IPEndPoint endPoint, int loops)
    {
        var sockets = new List<Socket>();
        try
        {
            sockets.Add(BindOne(endPoint));
            var bound = (IPEndPoint)sockets[0].LocalEndPoint!;
            for (var i = 1; SocketPerLoop && i < loops; i++) sockets.Add(BindOne(bound));
            return [.. sockets];
        }
        catch
        {
            foreach (var socket in sockets) socket.Dispose();
            throw;
        }
    }

    private static Socket BindOne(IPEndPoint endPoint)
    {
        var socket = new Socket(endPoint.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        try
        {
            // A bigger kernel queue rides out bursts; the kernel may cap it (net.core.rmem_max), which is fine.
            socket.ReceiveBufferSize = 4 << 20;
            if (SocketPerLoop) socket.SetRawSocketOption(LinuxSolSocket, LinuxSoReusePort, BitConverter.GetBytes(1));
            socket.Bind(endPoint);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private const int LinuxSolSocket = 1;
    private const int LinuxSoReusePort = 15;

    public void Start()
    {
        _running = new Task[_loops];
        _stats = new LoopStats?[_loops];
        for (var i = 0; i < _loops; i++)
        {
            var socket = _sockets[_sockets.Length == 1 ? 0 : i];
            var slot = i;
            var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _running[i] = done.Task;
            new Thread(() =>
            {
                try
                {
                    if (_batch > 1) BatchLoop(socket, slot);
                    else ReceiveLoop(socket, slot);
                }
                finally
                {
                    done.SetResult();
                }
            })
            {
                IsBackground = true,
                Name = $"portolan-dns-udp-{i}",
            }.Start();
        }
    }

    private void ReceiveLoop(Socket socket, int slot)
    {
        var receive = GC.AllocateUninitializedArray<byte>(ReceiveBufferSize);
        var send = GC.AllocateUninitializedArray<byte>(_processor.MinResponseBuffer);
        var peer = new SocketAddress(socket.AddressFamily);
        var random = new Random();
        var ct = _stop.Token;
        var stats = _stats[slot] = new LoopStats();
        while (!ct.IsCancellationRequested)
        {
            int received;
            try
            {
                received = socket.ReceiveFrom(receive, SocketFlags.None, peer);
                stats.Update(1);
            }
            catch (Exception e) when (ct.IsCancellationRequested && e is SocketException or ObjectDisposedException)
            {
                return; // DisposeAsync closed the socket to wake us.
            }
            catch (SocketException e)
            {
                // ConnectionReset (an ICMP error for an earlier reply), MessageSize and the like: one datagram lost.
                if (_logger.IsEnabled(LogLevel.Debug)) LogReceiveFailed(_logger, e.SocketErrorCode);
                continue;
            }

            int length;
            try
            {
                length = _processor.Process(receive.AsSpan(0, received), send, overUdp: true, random);
            }
            catch (Exception e)
            {
                // A bug, not bad input (bad input gets FORMERR): log it and keep serving.
                LogRequestFailed(_logger, e);
                continue;
            }

            if (length == DnsQueryProcessor.Forward)
            {
                if (TryStartForward(socket, receive.AsSpan(0, received), peer.Buffer.Span[..peer.Size], ct)) continue;
                // Every forwarding slot is busy: fail fast rather than queue without bound.
                length = _processor.Fail(receive.AsSpan(0, received), send, overUdp: true, Wire.DnsRCode.ServFail);
            }

            if (length == 0) continue;
            try
            {
                socket.SendTo(send.AsSpan(0, length), SocketFlags.None, peer);
            }
            catch (Exception e) when (ct.IsCancellationRequested && e is SocketException or ObjectDisposedException)
            {
                return;
            }
            catch (SocketException e)
            {
                if (_logger.IsEnabled(LogLevel.Debug)) LogReceiveFailed(_logger, e.SocketErrorCode);
            }
        }
    }

    /// <summary>The loop of <see cref="ReceiveLoop"/>, a batch of datagrams at a time (see <see cref="MessageBatch"/>).</summary>
    private void BatchLoop(Socket socket, int slot)
    {
        var batch = new MessageBatch(_batch, _processor.MinResponseBuffer);
        var handle = socket.SafeHandle;
        var random = new Random();
        var ct = _stop.Token;
        var stats = _stats[slot] = new LoopStats();
        while (!ct.IsCancellationRequested)
        {
            var count = batch.Receive(handle, out var error);
            if (count < 0)
            {
                if (ct.IsCancellationRequested) return; // DisposeAsync closed the socket to wake us.
                if (_logger.IsEnabled(LogLevel.Debug)) LogBatchReceiveFailed(_logger, error);
                continue;
            }

            stats.Update(count);

            for (var i = 0; i < count; i++)
            {
                var request = batch.Request(i);
                int length;
                try
                {
                    length = _processor.Process(request, batch.NextReply, overUdp: true, random);
                    if (length == DnsQueryProcessor.Forward)
                    {
                        if (TryStartForward(socket, request, batch.Peer(i), ct)) continue;
                        length = _processor.Fail(request, batch.NextReply, overUdp: true, Wire.DnsRCode.ServFail);
                    }
                }
                catch (Exception e)
                {
                    LogRequestFailed(_logger, e);
                    continue;
                }

                if (length > 0) batch.Add(i, length);
            }

            var dropped = batch.Send(handle);
            if (dropped > 0 && _logger.IsEnabled(LogLevel.Debug)) LogRepliesDropped(_logger, dropped);
        }
    }

    /// <summary>
    /// Relays a query off the receive loop (an upstream may take seconds; the loop must not wait for it), with
    /// its own copies of the request and of the peer's address (<paramref name="peer"/>: a sockaddr as the kernel
    /// gave it, which is what <see cref="SocketAddress.Buffer"/> holds).
    /// </summary>
    private bool TryStartForward(Socket socket, ReadOnlySpan<byte> request, ReadOnlySpan<byte> peer, CancellationToken ct)
    {
        if (!_forwarder.TryAcquire()) return false;
        var copy = ArrayPool<byte>.Shared.Rent(request.Length);
        request.CopyTo(copy);
        var to = new SocketAddress(socket.AddressFamily, peer.Length);
        peer.CopyTo(to.Buffer.Span);
        lock (_lock)
        {
            var task = ForwardAsync(socket, copy, request.Length, to, ct);
            _forwards.Add(task);
            _ = task.ContinueWith(static (t, state) =>
            {
                var self = (UdpListener)state!;
                lock (self._lock) self._forwards.Remove(t);
            }, this, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }

        return true;
    }

    private async Task ForwardAsync(Socket socket, byte[] request, int length, SocketAddress peer, CancellationToken ct)
    {
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        await Task.Yield();
        var response = ArrayPool<byte>.Shared.Rent(Wire.DnsLimits.MaxMessageSize);
        try
        {
            var written = await _forwarder.ExchangeAsync(request.AsMemory(0, length), response, overUdp: true, ct);
            if (written == 0)
            {
                written = _processor.Fail(request.AsSpan(0, length), response, overUdp: true, Wire.DnsRCode.ServFail, started: started);
            }
            else if (written > _processor.UdpLimit(request.AsSpan(0, length)))
            {
                // Bigger than this client takes over UDP: it retries over TCP, which is forwarded over TCP.
                written = _processor.Fail(request.AsSpan(0, length), response, overUdp: true, Wire.DnsRCode.NoError, truncated: true, started: started);
            }
            else
            {
                _processor.CountForwarded(request.AsSpan(0, length), response.AsSpan(0, written), overUdp: true, started);
            }

            // Synchronous on purpose: one async call would switch the socket to non-blocking mode for good, and
            // the receive loops' blocking calls would then go through .NET's slower emulation.
            if (written > 0) socket.SendTo(response.AsSpan(0, written), SocketFlags.None, peer);
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(response);
            ArrayPool<byte>.Shared.Return(request);
            _forwarder.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        // Closing a socket wakes a thread blocked in its recvfrom (with SocketError.Interrupted).
        foreach (var socket in _sockets) socket.Dispose();
        await Task.WhenAll(_running);
        Task[] forwards;
        lock (_lock) forwards = [.. _forwards];
        await Task.WhenAll(forwards);
        _stop.Dispose();
    }

    [LoggerMessage(DnsEventIds.UdpReceiveFailed, LogLevel.Debug, "DNS UDP datagram lost: {Error}.")]
    private static partial void LogReceiveFailed(ILogger logger, SocketError error);

    [LoggerMessage(DnsEventIds.UdpBatchReceiveFailed, LogLevel.Debug, "DNS UDP receive failed: errno {Errno}.")]
    private static partial void LogBatchReceiveFailed(ILogger logger, int errno);

    [LoggerMessage(DnsEventIds.UdpRepliesDropped, LogLevel.Debug, "DNS UDP: the kernel refused {Count} replies of a batch.")]
    private static partial void LogRepliesDropped(ILogger logger, int count);

    [LoggerMessage(DnsEventIds.RequestFailed, LogLevel.Error, "DNS request processing failed; the request got no reply.")]
    private static partial void LogRequestFailed(ILogger logger, Exception exception);
}
