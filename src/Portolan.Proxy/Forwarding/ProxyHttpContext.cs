using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Portolan.Proxy.Balancing;

namespace Portolan.Proxy.Forwarding;

/// <summary>
/// The per-request context of a listener: an <see cref="HttpContext"/> plus what the data plane learns on the
/// way (rule, group, target, timings). Kestrel keeps one per connection (HTTP/1.1) or pooled stream (HTTP/2) and
/// hands it back for the next request, so none of this is allocated per request. It is also a request feature,
/// so the transformer finds it from the <see cref="HttpContext"/> YARP passes.
/// </summary>
internal sealed class ProxyHttpContext
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
