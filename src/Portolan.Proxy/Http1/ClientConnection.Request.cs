using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using Portolan.Proxy.Configuration;
using Portolan.Proxy.Http1.Parsing;
using Portolan.Proxy.Routing;

namespace Portolan.Proxy.Http1;

/// <summary>The request as the rules see it, what is decided for it, and its head as the target gets it.</summary>
internal sealed partial class ClientConnection : IProxyRequest
{
    private char[] _chars = new char[1024];
    private bool _headPending;
    private bool _isHeadMethod;
    private long _requestStartTimestamp;
    private DateTimeOffset _received;

    /// <summary>A whole head is in <see cref="_in"/>: route it, then forward, answer or hand it on.</summary>
    private void StartRequest()
    {
        _headPending = true;
        _requestStartTimestamp = Stopwatch.GetTimestamp();
        _received = _listener.Time.GetUtcNow();
        if (_chars.Length < _head.Length) _chars = new char[Math.Max(_head.Length, _chars.Length * 2)];
        Encoding.Latin1.GetChars(_in.Data[.._head.Length], _chars);
        _isHeadMethod = Method.SequenceEqual("HEAD");

        var action = _listener.Runtime.Routes.Match(this, out _rulePriority);
        _actions = action.Name;
        switch (action)
        {
            case ForwardRoute forward:
                var branch = forward.Pick(this);
                if (branch is null)
                {
                    _errorReason = "NoTargetGroupWeight";
                    RespondFromLoadBalancer(503);
                    return;
                }
                var group = branch.Group;
                if (!CanForward(group.Config))
                {
                    HandOff(http2: false);
                    return;
                }
                var target = group.Pick(this, out _);
                if (target is null)
                {
                    _group = group;
                    _errorReason = "NoRegisteredTargets"; // no registered target that may take requests: ALB's 503
                    RespondFromLoadBalancer(503);
                    return;
                }
                var pool = _listener.Engine.PoolFor(_loop, target);
                if (pool.Address is null)
                {
                    target.Exit();
                    HandOff(http2: false); // a target by name: the other path resolves it
                    return;
                }
                _headPending = false;
                BeginForward(group, target, pool, branch, forward.Sticky);
                return;
            case FixedResponseRoute fixedResponse:
                RespondFixed(fixedResponse);
                return;
            case RedirectRoute redirect:
                RespondRedirect(redirect);
                return;
            default:
                RespondFromLoadBalancer(503);
                return;
        }
    }

    /// <summary>Plain HTTP/1.1 to a cleartext target is the fast path's; HTTP/2, gRPC and TLS targets are YARP's.</summary>
    private static bool CanForward(TargetGroupConfig group) =>
        group.ProtocolVersion == TargetProtocolVersion.Http1 && group.Protocol == TargetProtocol.Http;

    private ReadOnlySpan<char> Chars(ByteRange range) => _chars.AsSpan(range.Start, range.Length);

    public ReadOnlySpan<char> Method => Chars(_head.Method);

    public ReadOnlySpan<char> Path => _head.Path.Length == 0 ? "/" : Chars(_head.Path);

    public ReadOnlySpan<char> Query => Chars(_head.Query);

    public ReadOnlySpan<char> Host => Chars(_head.Host);

    public string Scheme => "http";

    public int LocalPort => _listener.LocalPort;

    public IPAddress? RemoteAddress => _remote?.Address;

    public bool TryGetHeader(string name, int occurrence, out ReadOnlySpan<char> value)
    {
        foreach (var header in _head.Headers)
        {
            if (header.NameLength != name.Length || !_chars.AsSpan(header.NameStart, header.NameLength).Equals(name, StringComparison.OrdinalIgnoreCase)) continue;
            if (occurrence-- > 0) continue;
            value = _chars.AsSpan(header.ValueStart, header.ValueLength);
            return true;
        }
        value = default;
        return false;
    }

    /// <summary>
    /// The head as ALB sends it on: request line and headers as received (HTTP/1.1), hop-by-hop headers dropped,
    /// <c>X-Forwarded-For</c> with the client appended, <c>X-Forwarded-Proto</c>, <c>X-Forwarded-Port</c> and
    /// <c>X-Amzn-Trace-Id</c> (the client's Root kept).
    /// </summary>
    private void WriteRequestHead(ref IoBuffer dest)
    {
        var src = _in.Data;
        var w = new HeadWriter(ref dest);
        w.Write(src[..(_head.Target.Start + _head.Target.Length)]);
        w.Write(" HTTP/1.1\r\n"u8);

        var priorForwardedFor = 0;
        var traceHeader = -1;
        var headers = _head.Headers;
        for (var i = 0; i < headers.Length; i++)
        {
            var h = headers[i];
            switch (HeaderNames.Classify(src.Slice(h.NameStart, h.NameLength)))
            {
                case HeaderKind.HopByHop or HeaderKind.ForwardedProto or HeaderKind.ForwardedPort:
                    continue;
                case HeaderKind.ForwardedFor:
                    priorForwardedFor++;
                    continue;
                case HeaderKind.TraceId:
                    traceHeader = traceHeader == -1 ? i : -2; // more than one: not kept
                    continue;
            }
            w.Write(src[h.NameStart..(h.ValueStart + h.ValueLength)]);
            w.Write("\r\n"u8);
        }

        w.Write("X-Forwarded-For: "u8);
        if (priorForwardedFor > 0)
        {
            foreach (var h in headers)
            {
                if (HeaderNames.Classify(src.Slice(h.NameStart, h.NameLength)) != HeaderKind.ForwardedFor) continue;
                w.Write(src.Slice(h.ValueStart, h.ValueLength));
                w.Write(", "u8);
            }
        }
        w.WriteAscii(ClientAddress ?? "");
        w.Write("\r\nX-Forwarded-Proto: http\r\nX-Forwarded-Port: "u8);
        w.WriteInt(_listener.LocalPort);
        w.Write("\r\nX-Amzn-Trace-Id: "u8);
        Span<byte> generated = stackalloc byte[HeadWriter.TraceIdLength];
        ReadOnlySpan<byte> trace = traceHeader >= 0 && src.Slice(headers[traceHeader].ValueStart, headers[traceHeader].ValueLength).IndexOf("Root="u8) >= 0
            ? src.Slice(headers[traceHeader].ValueStart, headers[traceHeader].ValueLength)
            : HeadWriter.TraceId(_received, generated);
        w.Write(trace);
        if (_listener.AccessLog.Enabled) _traceIdText = Encoding.ASCII.GetString(trace);
        w.Write("\r\n\r\n"u8);
        w.Commit();
    }

    /// <summary>
    /// The target's head as the client gets it: its status line (as HTTP/1.1) and headers, hop-by-hop ones dropped,
    /// the stickiness cookies added (with application-based stickiness only when the target set its own cookie),
    /// and <c>Connection: close</c> when this is the connection's last response.
    /// </summary>
    private void WriteResponseHead(ReadOnlySpan<byte> src, ref IoBuffer dest)
    {
        var w = new HeadWriter(ref dest);
        var lineEnd = src.IndexOf("\r\n"u8);
        w.Write("HTTP/1.1 "u8);
        w.Write(src[9..lineEnd]);
        w.Write("\r\n"u8);

        var appCookieSet = false;
        foreach (var h in _response.Headers)
        {
            var kind = HeaderNames.Classify(src.Slice(h.NameStart, h.NameLength));
            if (kind == HeaderKind.HopByHop) continue;
            if (_response.ConnectionHasOtherTokens && NamedByConnection(src, src.Slice(h.NameStart, h.NameLength))) continue;
            if (kind == HeaderKind.SetCookie && _appCookieName is not null && SetsCookie(src.Slice(h.ValueStart, h.ValueLength), _appCookieName)) appCookieSet = true;
            w.Write(src[h.NameStart..(h.ValueStart + h.ValueLength)]);
            w.Write("\r\n"u8);
        }
        if (_targetCookieLine is not null && (_appCookieName is null || appCookieSet))
        {
            w.Write("Set-Cookie: "u8);
            w.WriteAscii(_targetCookieLine);
            w.Write("\r\n"u8);
        }
        if (_groupCookieLine is not null)
        {
            w.Write("Set-Cookie: "u8);
            w.WriteAscii(_groupCookieLine);
            w.Write("\r\n"u8);
        }
        if (_closeAfterResponse) w.Write("Connection: close\r\n"u8);
        w.Write("\r\n"u8);
        w.Commit();
    }

    /// <summary>Whether the response's <c>Connection</c> header lists <paramref name="name"/>: such a field is hop-by-hop and is not passed on (RFC 9110 §7.6.1).</summary>
    private bool NamedByConnection(ReadOnlySpan<byte> src, ReadOnlySpan<byte> name)
    {
        foreach (var h in _response.Headers)
        {
            if (HeaderNames.Classify(src.Slice(h.NameStart, h.NameLength)) != HeaderKind.HopByHop || !Ascii.EqualsIgnoreCase(src.Slice(h.NameStart, h.NameLength), "connection"u8)) continue;
            foreach (var token in src.Slice(h.ValueStart, h.ValueLength).Split((byte)','))
            {
                if (Ascii.EqualsIgnoreCase(src.Slice(h.ValueStart, h.ValueLength)[token].Trim((byte)' ').Trim((byte)'\t'), name)) return true;
            }
        }
        return false;
    }

    private static bool SetsCookie(ReadOnlySpan<byte> setCookie, string name)
    {
        var value = setCookie.TrimStart((byte)' ');
        if (value.Length <= name.Length || value[name.Length] != '=') return false;
        for (var i = 0; i < name.Length; i++)
        {
            if (value[i] != name[i]) return false;
        }
        return true;
    }
}

/// <summary>Writes a head into an <see cref="IoBuffer"/> already reserved big enough; grows it if not.</summary>
internal ref struct HeadWriter
{
    private ref IoBuffer _buffer;
    private int _position;

    public HeadWriter(ref IoBuffer buffer)
    {
        _buffer = ref buffer;
        _position = buffer.End;
    }

    public void Write(scoped ReadOnlySpan<byte> bytes)
    {
        Ensure(bytes.Length);
        bytes.CopyTo(_buffer.Array.AsSpan(_position));
        _position += bytes.Length;
    }

    public void WriteAscii(string text)
    {
        Ensure(text.Length);
        _position += Encoding.ASCII.GetBytes(text, _buffer.Array.AsSpan(_position));
    }

    public void WriteInt(int value)
    {
        Ensure(11);
        value.TryFormat(_buffer.Array.AsSpan(_position), out var written, default, CultureInfo.InvariantCulture);
        _position += written;
    }

    public const int TraceIdLength = 40;

    /// <summary><c>Root=1-{epoch seconds, 8 hex}-{96 random bits, 24 hex}</c>, as ALB writes a new trace id, into <paramref name="span"/>.</summary>
    public static ReadOnlySpan<byte> TraceId(DateTimeOffset now, Span<byte> span)
    {
        "Root=1-"u8.CopyTo(span);
        ((uint)now.ToUnixTimeSeconds()).TryFormat(span[7..15], out _, "x8", CultureInfo.InvariantCulture);
        span[15] = (byte)'-';
        Span<byte> random = stackalloc byte[12];
        Random.Shared.NextBytes(random);
        Convert.TryToHexStringLower(random, span[16..TraceIdLength], out _);
        return span[..TraceIdLength];
    }

    public void Commit() => _buffer.End = _position;

    private void Ensure(int size)
    {
        if (_buffer.Array is not null && _buffer.Array.Length - _position >= size) return;
        _buffer.End = _position;
        _buffer.Reserve(size);
        _position = _buffer.End;
    }
}
