using System.Buffers;
using System.Net;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace Portolan.Proxy.Listeners;

/// <summary>
/// HTTP/1.1 and h2c (HTTP/2 with prior knowledge) on one cleartext port. Kestrel cannot do both on one endpoint
/// without TLS (with no ALPN to go by it picks HTTP/1.1), so the listener's Kestrel server gets two endpoints, one
/// per protocol (<see cref="DemuxEndPoint"/>), and this transport binds the real socket once and gives each
/// accepted connection to the endpoint its first bytes ask for: the HTTP/2 client preface
/// <c>PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n</c> means h2c, anything else HTTP/1.1. The peeked bytes stay unread, so
/// Kestrel sees the connection from its first byte. Costs one small task per connection, nothing per request.
/// </summary>
internal sealed class CleartextDemuxListenerFactory(IConnectionListenerFactory sockets, TimeSpan sniffTimeout) : IConnectionListenerFactory
{
    private readonly IConnectionListenerFactory _sockets = sockets;
    private readonly TimeSpan _sniffTimeout = sniffTimeout;
    private readonly Lock _lock = new();
    private SharedSocket? _shared;

    /// <summary>The real socket's address once bound (its real port when 0 was asked for).</summary>
    public IPEndPoint? BoundEndPoint { get; private set; }

    public async ValueTask<IConnectionListener> BindAsync(EndPoint endpoint, CancellationToken cancellationToken = default)
    {
        if (endpoint is not DemuxEndPoint demux) return await _sockets.BindAsync(endpoint, cancellationToken);

        // Kestrel binds the HTTP/1.1 endpoint first; port 0 becomes a real port there, and the HTTP/2 endpoint
        // (same requested address) then joins the socket already bound.
        // One factory per listener, so one shared socket.
        SharedSocket shared;
        lock (_lock) shared = _shared ??= new SharedSocket(this);
        return await shared.BindAsync(demux, cancellationToken);
    }

    /// <summary>The real listening socket behind the two protocol endpoints of one port.</summary>
    private sealed class SharedSocket(CleartextDemuxListenerFactory owner) : IDisposable
    {
        private readonly SemaphoreSlim _bindLock = new(1, 1);
        private readonly CancellationTokenSource _stop = new();
        private IConnectionListener? _socket;
        private Task? _acceptLoop;
        private HandOffListener? _http1;
        private HandOffListener? _http2;
        private int _unbound;

        /// <summary>The real socket's address once bound (its real port when 0 was asked for).</summary>
    public IPEndPoint? BoundEndPoint { get; private set; }

    public async ValueTask<IConnectionListener> BindAsync(DemuxEndPoint endpoint, CancellationToken cancellationToken)
        {
            await _bindLock.WaitAsync(cancellationToken);
            try
            {
                _socket ??= await owner._sockets.BindAsync(endpoint.Socket, cancellationToken);
                owner.BoundEndPoint = (IPEndPoint)_socket.EndPoint;
                var bound = new DemuxEndPoint((IPEndPoint)_socket.EndPoint, endpoint.Protocol);
                var listener = new HandOffListener(bound, UnbindAsync);
                if (endpoint.Protocol == HttpProtocols.Http2) _http2 = listener;
                else _http1 = listener;
                _acceptLoop ??= _http1 is not null && _http2 is not null ? Task.Run(AcceptLoopAsync, CancellationToken.None) : null;
                return listener;
            }
            finally
            {
                _bindLock.Release();
            }
        }

        public void Dispose()
        {
            _stop.Dispose();
            _bindLock.Dispose();
        }

        public async ValueTask UnbindAsync()
        {
            // Both protocol listeners unbind; the socket closes with the second.
            if (Interlocked.Increment(ref _unbound) < 2) return;
            _stop.Cancel();
            if (_socket is not null) await _socket.UnbindAsync();
            if (_acceptLoop is not null) await _acceptLoop;
            if (_socket is not null) await _socket.DisposeAsync();
            lock (owner._lock) owner._shared = null;
            Dispose();
        }

        private async Task AcceptLoopAsync()
        {
            while (true)
            {
                ConnectionContext? connection;
                try
                {
                    connection = await _socket!.AcceptAsync(_stop.Token);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
                if (connection is null) break;
                _ = RouteAsync(connection);
            }
            _http1!.Complete();
            _http2!.Complete();
        }

        private async Task RouteAsync(ConnectionContext connection)
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
            timeout.CancelAfter(owner._sniffTimeout);
            bool? http2;
            try
            {
                http2 = await SniffAsync(connection.Transport.Input, timeout.Token);
            }
            catch (Exception)
            {
                http2 = null; // silent past the timeout, reset, or shutting down
            }

            if (http2 is not { } isHttp2 || !(isHttp2 ? _http2! : _http1!).Offer(connection))
            {
                await connection.DisposeAsync();
            }
        }

        /// <summary>True for the HTTP/2 preface, false for anything else, null when the client went away first.</summary>
        private static async ValueTask<bool?> SniffAsync(System.IO.Pipelines.PipeReader input, CancellationToken cancellationToken)
        {
            while (true)
            {
                var result = await input.ReadAsync(cancellationToken);
                var buffer = result.Buffer;
                var decided = Classify(buffer, out var isHttp2);
                if (decided)
                {
                    input.AdvanceTo(buffer.Start); // nothing consumed: Kestrel reads it all again
                    return isHttp2;
                }
                if (result.IsCompleted || result.IsCanceled)
                {
                    input.AdvanceTo(buffer.Start, buffer.End);
                    return null;
                }
                input.AdvanceTo(buffer.Start, buffer.End);
            }
        }

        private static bool Classify(ReadOnlySequence<byte> buffer, out bool isHttp2)
        {
            var preface = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"u8;
            Span<byte> head = stackalloc byte[24];
            var n = (int)Math.Min(buffer.Length, preface.Length);
            buffer.Slice(0, n).CopyTo(head);
            isHttp2 = false;
            if (!head[..n].SequenceEqual(preface[..n])) return true; // differs: HTTP/1.1 (or garbage Kestrel will reject)
            isHttp2 = n == preface.Length;
            return isHttp2;
        }
    }
}
