using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.Extensions.Logging;
using Portolan.Proxy.Listeners;

namespace Portolan.Proxy.Http1;

/// <summary>
/// The transport of a cleartext listener with the fast path on: <see cref="Http1Listener"/> owns the real socket
/// and answers plain HTTP/1.1 itself; what it does not forward itself — h2c connections (the HTTP/2 preface), and
/// from the first request it does not take on, the rest of an HTTP/1.1 connection — it hands to the listener's
/// Kestrel server through two endpoints, one per protocol (<see cref="DemuxEndPoint"/>), as Kestrel's own socket
/// connections.
/// </summary>
internal sealed class FastPathListenerFactory : IConnectionListenerFactory, IDisposable
{
    private readonly Func<IPEndPoint, FastPathListenerFactory, Http1Listener> _bind;
    private readonly SocketConnectionContextFactory _contexts;
    private readonly SemaphoreSlim _lock = new(1, 1);
    private Http1Listener? _listener;
    private HandOffListener? _http1;
    private HandOffListener? _http2;
    private int _unbound;

    public FastPathListenerFactory(Func<IPEndPoint, FastPathListenerFactory, Http1Listener> bind, bool inlineScheduling, ILoggerFactory loggerFactory)
    {
        _bind = bind;
        _contexts = new SocketConnectionContextFactory(
            new SocketConnectionFactoryOptions { UnsafePreferInlineScheduling = inlineScheduling },
            loggerFactory.CreateLogger<FastPathListenerFactory>());
    }

    /// <summary>The bound socket's address (its real port when 0 was asked for).</summary>
    public IPEndPoint? BoundEndPoint => _listener?.EndPoint;

    public Http1Listener? Listener => _listener;

    public async ValueTask<IConnectionListener> BindAsync(EndPoint endpoint, CancellationToken cancellationToken = default)
    {
        if (endpoint is not DemuxEndPoint demux) throw new NotSupportedException($"The fast path binds listener endpoints only, not {endpoint}.");
        await _lock.WaitAsync(cancellationToken);
        try
        {
            _listener ??= _bind(demux.Socket, this);
            var listener = new HandOffListener(new DemuxEndPoint(_listener.EndPoint, demux.Protocol), UnbindAsync);
            if (demux.Protocol == HttpProtocols.Http2) _http2 = listener;
            else _http1 = listener;
            if (_http1 is not null && _http2 is not null) _listener.Start();
            return listener;
        }
        finally
        {
            _lock.Release();
        }
    }

    /// <summary>
    /// Gives an accepted socket to Kestrel. <paramref name="prefix"/> holds bytes the fast path already read (the
    /// request it hands on); empty when nothing was consumed.
    /// </summary>
    public void HandOff(int fd, ReadOnlySpan<byte> prefix, bool http2)
    {
        var socket = new Socket(new SafeSocketHandle(fd, ownsHandle: true));
        ConnectionContext connection = _contexts.Create(socket);
        if (!prefix.IsEmpty) connection = new PrefixedConnection(connection, prefix.ToArray());
        var target = http2 ? _http2 : _http1;
        if (target is null || !target.Offer(connection)) _ = connection.DisposeAsync().AsTask();
    }

    public void Dispose()
    {
        _contexts.Dispose();
        _lock.Dispose();
    }

    private async ValueTask UnbindAsync()
    {
        // Both protocol endpoints unbind; the socket closes with the second.
        if (Interlocked.Increment(ref _unbound) < 2) return;
        if (_listener is not null) await _listener.StopAcceptingAsync();
    }
}
