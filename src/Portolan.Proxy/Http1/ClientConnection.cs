using System.Diagnostics;
using System.Net;
using Portolan.Proxy.Http1.Native;
using Portolan.Proxy.Http1.Parsing;

namespace Portolan.Proxy.Http1;

/// <summary>
/// One client connection on the fast path, run by one loop: reads a request head, matches the listener's rules,
/// and forwards the request to a target over a pooled connection, copying bytes as they come in both directions
/// (<c>ClientConnection.Exchange.cs</c>). Anything it does not forward itself (h2c, HTTP/1.0, unusual heads, target
/// groups that speak HTTP/2 or TLS) goes to the listener's Kestrel server from that request on, untouched.
/// </summary>
/// <remarks>
/// All state is the loop thread's. <see cref="Pump"/> is the one place that makes progress: it runs after every
/// event on either socket and does whatever the buffers and readiness flags allow, until nothing more can be done.
/// Readiness is edge-triggered: a flag stays set until a call finds the socket drained (or full).
/// </remarks>
internal sealed unsafe partial class ClientConnection : IEventHandler, ITimedHandler
{
    /// <summary>The HTTP/2 client preface: a connection that starts with it is h2c.</summary>
    private static ReadOnlySpan<byte> Http2Preface => "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"u8;

    private readonly EventLoop _loop;
    private readonly Http1Listener _listener;
    private readonly IPEndPoint? _remote;
    private int _fd;
    private long _token;
    private Phase _phase = Phase.Sniff;
    private bool _readable = true;
    private bool _writable = true;
    private bool _peerClosed;
    private bool _closeAfterResponse;
    private IoBuffer _in;
    private IoBuffer _out;
    private long _phaseSinceMs;
    private int _requests;
    private readonly RequestHead _head = new();

    private enum Phase
    {
        /// <summary>New: waiting for the first bytes, to tell h2c from HTTP/1.1.</summary>
        Sniff,

        /// <summary>Between requests: waiting for (the rest of) a request head.</summary>
        Head,

        /// <summary>A request is being forwarded.</summary>
        Exchange,

        Closed,
    }

    public ClientConnection(EventLoop loop, Http1Listener listener, int fd, IPEndPoint? remote)
    {
        _loop = loop;
        _listener = listener;
        _fd = fd;
        _remote = remote;
        ClientAddress = remote is null ? null : (remote.Address.IsIPv4MappedToIPv6 ? remote.Address.MapToIPv4() : remote.Address).ToString();
    }

    /// <summary>The client's address as text (for X-Forwarded-For and the access log), formatted once per connection.</summary>
    public string? ClientAddress { get; }

    public void Start()
    {
        _listener.Opened();
        _token = _loop.Register(_fd, this, Libc.EPOLLIN | Libc.EPOLLOUT | Libc.EPOLLRDHUP | Libc.EPOLLET);
        _loop.AddTimed(this);
        _phaseSinceMs = Environment.TickCount64;
        Pump();
    }

    public void OnEvents(uint events)
    {
        if ((events & (Libc.EPOLLIN | Libc.EPOLLRDHUP | Libc.EPOLLHUP | Libc.EPOLLERR)) != 0) _readable = true;
        if ((events & (Libc.EPOLLRDHUP | Libc.EPOLLHUP | Libc.EPOLLERR)) != 0) _peerClosed = true;
        if ((events & Libc.EPOLLOUT) != 0) _writable = true;
        Pump();
    }

    /// <summary>An event on the upstream connection of the current exchange.</summary>
    public void OnUpstreamEvents() => Pump();

    /// <summary>Does everything the buffers and readiness allow, until nothing changes.</summary>
    private void Pump()
    {
        while (_phase != Phase.Closed)
        {
            // A short read clears _readable, but the client's FIN may have come with that data: no new edge announces it.
            if (_peerClosed) _readable = true;
            var phase = _phase;
            var progress = false;
            if (!_out.IsEmpty && _writable)
            {
                progress = FlushClient();
                if (_phase == Phase.Closed) return;
            }
            progress |= _phase switch
            {
                Phase.Sniff => Sniff(),
                Phase.Head => ReadHead(),
                Phase.Exchange => PumpExchange(),
                _ => false,
            };
            if (!progress && _phase == phase) break;
        }

        if (_phase == Phase.Head && _closeAfterResponse && _out.IsEmpty) Close();
    }

    /// <summary>Peeks at the first bytes: the HTTP/2 preface goes to Kestrel whole; anything else is read as HTTP/1.1.</summary>
    private bool Sniff()
    {
        if (!_readable) return false;
        Span<byte> first = stackalloc byte[24];
        nint n;
        fixed (byte* p = first) n = Libc.recv(_fd, p, first.Length, Libc.MSG_PEEK);
        if (n < 0)
        {
            if (Libc.Errno == Libc.EAGAIN) _readable = false;
            else Close();
            return false;
        }
        if (n == 0)
        {
            Close();
            return false;
        }

        var seen = first[..(int)n];
        if (seen.SequenceEqual(Http2Preface[..seen.Length]))
        {
            if (seen.Length == Http2Preface.Length) HandOff(http2: true);
            else _readable = false; // a part of the preface: wait for the rest (it comes as a new edge)
            return false;
        }
        EnterHead();
        return true;
    }

    /// <summary>Reads until a whole head is there, then starts the request (or hands the connection on).</summary>
    private bool ReadHead()
    {
        if (!_out.IsEmpty) return false; // the previous response first; pipelined requests wait in the socket
        if (_closeAfterResponse) return false;

        if (!_in.IsEmpty)
        {
            switch (_head.Parse(_in.Data, _listener.Options.MaxRequestLineSize, _listener.Options.MaxRequestHeadersTotalSize))
            {
                case HeadParseStatus.Complete when _head.Http10:
                    // HTTP/1.0 clients read neither chunked bodies nor 1xx responses: Kestrel answers them as 1.0 wants.
                    HandOff(http2: false);
                    return false;
                case HeadParseStatus.Complete:
                    StartRequest();
                    return true;
                case HeadParseStatus.Unsupported or HeadParseStatus.TooLarge:
                    HandOff(http2: false);
                    return false;
            }
        }

        if (!_readable) return false;
        if (_listener.Stopping && _in.IsEmpty)
        {
            Close();
            return false;
        }
        _in.Reserve(_in.Capacity == 0 ? IoBuffer.DefaultSize : Math.Max(1024, _in.Capacity / 2));
        if (_in.Length > _listener.Options.MaxRequestLineSize + _listener.Options.MaxRequestHeadersTotalSize)
        {
            HandOff(http2: false); // Kestrel answers 414/431
            return false;
        }
        var n = SocketIo.Receive(_fd, ref _in, ref _readable);
        if (n > 0) return true;
        if (n == SocketIo.WouldBlock)
        {
            _in.ReleaseIfEmpty();
            return false;
        }
        Close(); // the client closed (or reset) between requests
        return false;
    }

    private bool FlushClient()
    {
        var n = SocketIo.Send(_fd, ref _out, ref _writable);
        if (n == SocketIo.Failed)
        {
            if (_phase == Phase.Exchange) ClientGone();
            else Close();
            return false;
        }
        if (_out.IsEmpty) _out.ReleaseIfEmpty();
        return n > 0;
    }

    private void EnterHead()
    {
        _phase = Phase.Head;
        _phaseSinceMs = Environment.TickCount64;
    }

    /// <summary>Gives the connection to Kestrel from here on, with what was read of the current request.</summary>
    private void HandOff(bool http2)
    {
        var fd = _fd;
        _loop.Unregister(fd, _token);
        _loop.RemoveTimed(this);
        _phase = Phase.Closed;
        _fd = -1;
        try
        {
            _listener.HandOffTo.HandOff(fd, _in.IsEmpty ? default : _in.Data, http2);
        }
        catch (Exception e)
        {
            Trace.TraceError($"HTTP/1.1 fast path: handing a connection to Kestrel failed: {e.Message}");
        }
        finally
        {
            _in.Release();
            _out.Release();
            _listener.Closed();
        }
    }

    public void OnSweep(long nowMs)
    {
        var options = _listener.Options;
        if (_listener.Stopping && nowMs >= _listener.StopDeadlineMs)
        {
            Close(); // the listener's grace period is over: what is still in flight is cut
            return;
        }

        switch (_phase)
        {
            case Phase.Sniff or Phase.Head:
                if (_listener.Stopping && _in.IsEmpty && _out.IsEmpty)
                {
                    Close();
                    return;
                }
                // A head must arrive within RequestHeadersTimeout (the slow-loris guard; also for the very first
                // bytes); between requests the listener's idle timeout applies.
                var limit = _requests == 0 || !_in.IsEmpty ? options.RequestHeadersTimeout : _listener.Runtime.Config.IdleTimeout;
                if (nowMs - _phaseSinceMs > (long)limit.TotalMilliseconds) Close();
                break;
            case Phase.Exchange:
                SweepExchange(nowMs);
                break;
        }
    }

    private void Close()
    {
        if (_phase == Phase.Closed) return;
        if (_phase == Phase.Exchange) AbandonExchange();
        _phase = Phase.Closed;
        _loop.Unregister(_fd, _token);
        _loop.RemoveTimed(this);
        // Unread bytes at close make the kernel send a reset instead of a FIN, and the client would see an error
        // rather than the end of the connection (e.g. a stalled client's partial preface, which was only peeked at).
        Span<byte> discard = stackalloc byte[4096];
        fixed (byte* p = discard) Libc.recv(_fd, p, discard.Length, 0);
        Libc.close(_fd);
        _fd = -1;
        _in.Release();
        _out.Release();
        _listener.Closed();
    }
}
