using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Portolan.Proxy.Balancing;
using Portolan.Proxy.Routing;

namespace Portolan.Proxy.Forwarding;

/// <summary>
/// The per-request context of a listener: an <see cref="HttpContext"/> plus what the data plane learns on the
/// way (rule, group, target, timings). Kestrel keeps one per connection (HTTP/1.1) or pooled stream (HTTP/2) and
/// hands it back for the next request, so none of this is allocated per request. It is also a request feature,
/// so the transformer finds it from the <see cref="HttpContext"/> YARP passes. As an <see cref="IProxyRequest"/>, it
/// shows the rules and balancing Kestrel's parsed request without copying it.
/// </summary>
internal sealed class ProxyHttpContext : IProxyRequest
{
    private IPAddressCache _client;

    public ProxyHttpContext(IFeatureCollection features)
    {
        Http = new DefaultHttpContext(features);
        features.Set(this);
    }

    public DefaultHttpContext Http { get; }

    public HttpRequest Request => Http.Request;
    public HttpResponse Response => Http.Response;
    public ConnectionInfo Connection => Http.Connection;
    public IFeatureCollection Features => Http.Features;

    /// <summary>Takes the context for the next request on the same connection or stream.</summary>
    public void Reuse(IFeatureCollection features)
    {
        Http.Initialize(features);
        features.Set(this);
    }

    public long StartTimestamp { get; private set; }
    public DateTimeOffset Received { get; private set; }
    public int RulePriority { get; set; }
    public TargetGroupState? Group { get; set; }
    public TargetState? Target { get; set; }

    /// <summary>Set-Cookie lines the response gets after the target's headers (stickiness).</summary>
    public string? TargetCookieLine { get; set; }
    public string? GroupCookieLine { get; set; }

    /// <summary>With application-based stickiness, <see cref="TargetCookieLine"/> goes out only when the target sets this cookie.</summary>
    public string? AppCookieName { get; set; }
    public string? TraceId { get; set; }
    public string? RedirectUrl { get; set; }
    public string? ErrorReason { get; set; }
    public string Actions { get; set; } = "";
    public int TargetStatus { get; set; }
    public long TargetStartTimestamp { get; set; }
    public long TargetEndTimestamp { get; set; }

    /// <summary>Status for logs and counters when it differs from the response's (e.g. 460 when the client left).</summary>
    public int LoggedStatus { get; set; }

    /// <summary>The client's address as text, formatted once per connection.</summary>
    public string? ClientAddress => _client.Get(Connection.RemoteIpAddress);

    public void Begin(long timestamp, DateTimeOffset now)
    {
        StartTimestamp = timestamp;
        Received = now;
        RulePriority = -1;
        Group = null;
        Target = null;
        TargetCookieLine = null;
        GroupCookieLine = null;
        AppCookieName = null;
        TraceId = null;
        RedirectUrl = null;
        ErrorReason = null;
        Actions = "";
        TargetStatus = 0;
        TargetStartTimestamp = 0;
        TargetEndTimestamp = 0;
        LoggedStatus = 0;
    }

    ReadOnlySpan<char> IProxyRequest.Method => Request.Method;

    ReadOnlySpan<char> IProxyRequest.Path => Request.Path.Value is { Length: > 0 } path ? path : "/";

    ReadOnlySpan<char> IProxyRequest.Query
    {
        get
        {
            var query = Request.QueryString.Value.AsSpan();
            return query.StartsWith('?') ? query[1..] : query;
        }
    }

    // HostString.Host, without the substring it allocates when the Host has a port: "[v6]" keeps its brackets, one
    // colon starts the port; an IPv6 address without brackets (two colons or more) is left to HostString.
    ReadOnlySpan<char> IProxyRequest.Host
    {
        get
        {
            var host = Request.Host;
            var value = host.Value.AsSpan();
            var bracket = value.IndexOf(']');
            if (bracket >= 0) return value[..(bracket + 1)];
            var colon = value.IndexOf(':');
            if (colon < 0) return value;
            return value[(colon + 1)..].Contains(':') ? host.Host : value[..colon];
        }
    }

    string IProxyRequest.Scheme => Request.Scheme;

    int IProxyRequest.LocalPort => Connection.LocalPort;

    System.Net.IPAddress? IProxyRequest.RemoteAddress => Connection.RemoteIpAddress;

    bool IProxyRequest.TryGetHeader(string name, int occurrence, out ReadOnlySpan<char> value)
    {
        if (Request.Headers.TryGetValue(name, out var values) && occurrence < values.Count)
        {
            value = values[occurrence];
            return true;
        }
        value = default;
        return false;
    }

    /// <summary>Remembers the last address formatted, so keep-alive requests reuse the string.</summary>
    private struct IPAddressCache
    {
        private System.Net.IPAddress? _address;
        private string? _text;

        public string? Get(System.Net.IPAddress? address)
        {
            if (address is null) return null;
            if (!ReferenceEquals(address, _address))
            {
                var a = address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
                _text = a.ToString();
                _address = address;
            }
            return _text;
        }
    }
}
