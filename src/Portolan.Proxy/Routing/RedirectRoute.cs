using System.Globalization;
using System.Text;
using Portolan.Proxy.Configuration;

namespace Portolan.Proxy.Routing;

/// <summary>
/// A redirect: each part of the target URL is its template with <c>#{protocol}</c>, <c>#{host}</c>,
/// <c>#{port}</c>, <c>#{path}</c> (no leading slash) and <c>#{query}</c> filled in from the request. The port is
/// left out when it is the scheme's default and the query (with its <c>?</c>) when it comes out empty, as ALB does.
/// The data plane writes <see cref="StatusCode"/> with the <see cref="Location"/> and an empty body.
/// </summary>
internal sealed class RedirectRoute(RedirectAction action) : RouteAction
{
    public override string Name => "redirect";

    /// <summary>301 or 302.</summary>
    public int StatusCode => action.StatusCode;

    /// <summary>The URL <paramref name="request"/> is sent to.</summary>
    public string Location(IProxyRequest request)
    {
        var protocol = Fill(action.Protocol, request).ToLowerInvariant();
        var host = Fill(action.Host, request);
        var port = Fill(action.Port, request);
        var path = Fill(action.Path, request);
        var query = Fill(action.Query, request);

        var location = new StringBuilder(128).Append(protocol).Append("://").Append(host);
        if (!(protocol == "http" && port == "80") && !(protocol == "https" && port == "443")) location.Append(':').Append(port);
        if (!path.StartsWith('/')) location.Append('/');
        location.Append(path);
        if (query.Length > 0) location.Append('?').Append(query);
        return location.ToString();
    }

    /// <summary>The template with each placeholder replaced once (a filled-in value is not searched again).</summary>
    private static string Fill(string template, IProxyRequest request)
    {
        if (!template.Contains("#{", StringComparison.Ordinal)) return template;
        var filled = new StringBuilder(template.Length + 64);
        var rest = template.AsSpan();
        for (var start = rest.IndexOf("#{"); start >= 0; start = rest.IndexOf("#{"))
        {
            filled.Append(rest[..start]);
            rest = rest[start..];
            if (Take(ref rest, "#{protocol}")) filled.Append(request.Scheme);
            else if (Take(ref rest, "#{host}")) filled.Append(request.Host);
            else if (Take(ref rest, "#{port}")) filled.Append(request.LocalPort.ToString(CultureInfo.InvariantCulture));
            else if (Take(ref rest, "#{path}")) filled.Append(request.Path.TrimStart('/'));
            else if (Take(ref rest, "#{query}")) filled.Append(request.Query);
            else
            {
                filled.Append("#{"); // not a placeholder: kept as written
                rest = rest[2..];
            }
        }
        return filled.Append(rest).ToString();
    }

    private static bool Take(ref ReadOnlySpan<char> rest, string placeholder)
    {
        if (!rest.StartsWith(placeholder, StringComparison.Ordinal)) return false;
        rest = rest[placeholder.Length..];
        return true;
    }
}
