using System.Text;
using Microsoft.AspNetCore.Http;
using Portolan.Proxy.Balancing;
using Portolan.Proxy.Configuration;
using Yarp.ReverseProxy.Forwarder;

namespace Portolan.Proxy.Routing;

/// <summary>A rule's action, compiled against the running target groups.</summary>
internal abstract class RouteAction
{
    /// <summary>ALB's <c>actions_executed</c> name.</summary>
    public abstract string Name { get; }
}

/// <summary>
/// Forward: one target group, or a weighted choice among several, optionally sticky per group. Each group
/// carries its forwarding settings (protocol version, timeout) ready-made.
/// </summary>
internal sealed class ForwardRoute : RouteAction
{
    private readonly Branch[] _branches;
    private readonly int _totalWeight;
    private readonly Random _random;

    public ForwardRoute(IEnumerable<(TargetGroupState Group, int Weight)> groups, TimeSpan? stickiness, TimeSpan idleTimeout, Random random)
    {
        _random = random;
        _branches = [.. groups.Select(g => new Branch(
            g.Group,
            g.Weight,
            RequestConfigFor(g.Group.Config, idleTimeout),
            stickiness is { } d ? StickyCookies.SetCookieLine(StickyCookies.GroupCookie, g.Group.GroupCookieValue, d) : null))];
        _totalWeight = _branches.Sum(b => b.Weight);
        Sticky = stickiness is not null && _branches.Length > 1;
    }

    public override string Name => "forward";

    public bool Sticky { get; }

    /// <summary>The group for this request; null when every weight is zero.</summary>
    public Branch? Pick(IProxyRequest request)
    {
        if (_branches.Length == 1) return _branches[0].Weight > 0 ? _branches[0] : null;
        if (Sticky)
        {
            var cookie = StickyCookies.Find(request, StickyCookies.GroupCookie);
            if (!cookie.IsEmpty)
            {
                foreach (var branch in _branches)
                {
                    if (branch.Weight > 0 && cookie.SequenceEqual(branch.Group.GroupCookieValue)) return branch;
                }
            }
        }
        if (_totalWeight == 0) return null;
        var ticket = _random.Next(_totalWeight);
        foreach (var branch in _branches)
        {
            ticket -= branch.Weight;
            if (ticket < 0) return branch;
        }
        return _branches[^1];
    }

    public sealed record Branch(TargetGroupState Group, int Weight, ForwarderRequestConfig RequestConfig, string? GroupCookieLine);

    private static ForwarderRequestConfig RequestConfigFor(TargetGroupConfig group, TimeSpan idleTimeout) => new()
    {
        // A target silent for the idle timeout is a 504, as on ALB.
        ActivityTimeout = idleTimeout,
        Version = group.ProtocolVersion == TargetProtocolVersion.Http1 ? System.Net.HttpVersion.Version11 : System.Net.HttpVersion.Version20,
        // Exact: HTTP/2 to a cleartext target is h2c with prior knowledge, never a downgrade.
        VersionPolicy = HttpVersionPolicy.RequestVersionExact,
        AllowResponseBuffering = false,
    };
}

/// <summary>
/// A fixed response: status, content type and body, encoded once. Kestrel's listeners write it with
/// <see cref="WriteAsync"/>; another writer sends the same <see cref="StatusCode"/>, <see cref="ContentType"/> and
/// <see cref="Body"/>.
/// </summary>
internal sealed class FixedResponseRoute(FixedResponseAction action) : RouteAction
{
    private readonly byte[] _body = Encoding.UTF8.GetBytes(action.MessageBody ?? "");

    public override string Name => "fixed-response";

    public int StatusCode => action.StatusCode;

    /// <summary>The Content-Type sent (the configured type with <c>; charset=utf-8</c>); null when none is configured.</summary>
    public string? ContentType { get; } = action.ContentType is null ? null : action.ContentType + "; charset=utf-8";

    /// <summary>The body, UTF-8 encoded.</summary>
    public ReadOnlyMemory<byte> Body => _body;

    public Task WriteAsync(HttpContext context)
    {
        var response = context.Response;
        response.StatusCode = StatusCode;
        if (ContentType is not null) response.ContentType = ContentType;
        response.ContentLength = _body.Length;
        return _body.Length == 0 ? Task.CompletedTask : response.Body.WriteAsync(_body, 0, _body.Length);
    }
}
