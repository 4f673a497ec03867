using System.Buffers;
using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Portolan.Dns.Wire;

namespace Portolan.Dns.Server;

/// <summary>
/// Serves DNS over TCP (RFC 7766): two-octet length-prefixed messages, several per connection, answered in
/// order. Connections are capped (<see cref="DnsServerOptions.MaxTcpConnections"/>; extras are closed at once),
/// each waits at most <see cref="DnsServerOptions.TcpIdleTimeout"/> for its next query, and buffers are rented
/// per message, so an idle or slow client holds no memory and no thread, and cannot hold up anyone else.
/// </summary>
internal sealed partial class TcpListener(Socket socket, DnsQueryProcessor processor, UpstreamForwarder forwarder, DnsServerOptions options, ILogger logger) : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _lock = new();
    private readonly HashSet<Task> _connections = [];
    private Task _accept = Task.CompletedTask;

    public IPEndPoint LocalEndPoint => (IPEndPoint)socket.LocalEndPoint!;

    public static Socket Bind(IPEndPoint endPoint)
    {
        var socket = new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            socket.Bind(endPoint);
            socket.Listen(512);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    public void Start() => _accept = Task.Run(() => AcceptLoopAsync(_stop.Token));

    private async Task AcceptLoopAsync(CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await socket.AcceptAsync(ct);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (SocketException e)
            {
                LogAcceptFailed(logger, e.SocketErrorCode);
                continue;
            }

            lock (_lock)
            {
                if (_connections.Count >= options.MaxTcpConnections)
                {
                    LogConnectionRefused(logger, options.MaxTcpConnections);
                    client.Dispose();
                    continue;
                }

                var connection = ServeAsync(client, ct);
                _connections.Add(connection);
                _ = connection.ContinueWith(Forget, this, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            }
        }
    }

    private static void Forget(Task connection, object? state)
    {
        var self = (TcpListener)state!;
        lock (self._lock) self._connections.Remove(connection);
    }

    private async Task ServeAsync(Socket client, CancellationToken stopping)
    {
        await Task.Yield();
        client.NoDelay = true;
        using var idle = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        var random = new Random();
        var prefix = new byte[2];
        try
        {
            while (true)
            {
                idle.CancelAfter(options.TcpIdleTimeout);
                if (!await ReceiveExactlyAsync(client, prefix, idle.Token)) return;
                var length = BinaryPrimitives.ReadUInt16BigEndian(prefix);
                if (length == 0) return;
                var request = ArrayPool<byte>.Shared.Rent(length);
                var response = ArrayPool<byte>.Shared.Rent(2 + DnsLimits.MaxMessageSize);
                try
                {
                    if (!await ReceiveExactlyAsync(client, request.AsMemory(0, length), idle.Token)) return;
                    var written = Process(request.AsSpan(0, length), response.AsSpan(2, DnsLimits.MaxMessageSize), random);
                    if (written == DnsQueryProcessor.Forward)
                    {
                        written = await ForwardAsync(request.AsMemory(0, length), response.AsMemory(2, DnsLimits.MaxMessageSize), idle.Token);
                    }

                    // A request that deserves no reply (a response, say) ends the conversation.
                    if (written == 0) return;
                    BinaryPrimitives.WriteUInt16BigEndian(response, (ushort)written);
                    await client.SendAsync(response.AsMemory(0, 2 + written), SocketFlags.None, idle.Token);
                }
                finally
                {
                    ArrayPool<byte>.Shared.Return(response);
                    ArrayPool<byte>.Shared.Return(request);
                }

                idle.TryReset();
            }
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // Idle timeout, stop, or the client went away: just close.
        }
        finally
        {
            client.Dispose();
        }
    }

    /// <summary>Relays a query upstream over TCP; SERVFAIL when every slot is busy or no upstream answers.</summary>
    private async Task<int> ForwardAsync(ReadOnlyMemory<byte> request, Memory<byte> response, CancellationToken ct)
    {
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var written = 0;
        if (forwarder.TryAcquire())
        {
            try
            {
                written = await forwarder.ExchangeAsync(request, response, overUdp: false, ct);
            }
            finally
            {
                forwarder.Release();
            }
        }

        if (written == 0) return processor.Fail(request.Span, response.Span, overUdp: false, DnsRCode.ServFail, started: started);
        processor.CountForwarded(request.Span, response.Span[..written], overUdp: false, started);
        return written;
    }

    private int Process(ReadOnlySpan<byte> request, Span<byte> response, Random random)
    {
        try
        {
            return processor.Process(request, response, overUdp: false, random);
        }
        catch (Exception e)
        {
            LogRequestFailed(logger, e);
            return 0;
        }
    }

    private static async ValueTask<bool> ReceiveExactlyAsync(Socket client, Memory<byte> buffer, CancellationToken ct)
    {
        while (buffer.Length > 0)
        {
            var read = await client.ReceiveAsync(buffer, SocketFlags.None, ct);
            if (read == 0) return false;
            buffer = buffer[read..];
        }

        return true;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _accept;
        Task[] open;
        lock (_lock) open = [.. _connections];
        await Task.WhenAll(open);
        socket.Dispose();
        _stop.Dispose();
    }

    [LoggerMessage(DnsEventIds.TcpConnectionRefused, LogLevel.Warning, "DNS TCP connection closed at once: {Max} connections are open already.")]
    private static partial void LogConnectionRefused(ILogger logger, int max);

    [LoggerMessage(DnsEventIds.TcpAcceptFailed, LogLevel.Debug, "DNS TCP accept failed: {Error}.")]
    private static partial void LogAcceptFailed(ILogger logger, SocketError error);

    [LoggerMessage(DnsEventIds.RequestFailed, LogLevel.Error, "DNS request processing failed; the connection is closed.")]
    private static partial void LogRequestFailed(ILogger logger, Exception exception);
}
