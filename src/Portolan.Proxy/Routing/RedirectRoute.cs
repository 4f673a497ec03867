using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;
using Portolan.Proxy.Configuration;

namespace Portolan.Proxy.Routing;

/// <summary>
/// A redirect: each part of the target URL is its template with <c>#{protocol}</c>, <c>#{host}</c>,
/// <c>#{port}</c>, <c>#{path}</c> (no leading slash) and <c>#{query}</c> filled in from the request. The port is
/// left out when it is the scheme's default and the query (with its <c>?</c>) when it comes out empty, as ALB does.
/// </summary>
internal sealed class RedirectRoute(RedirectAction action) : RouteAction
{
    public override string Name => "redirect";

    public string Write(HttpContext context)
    {
        var request = context.Request;
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

        var url = location.ToString();
        context.Response.StatusCode = action.StatusCode;
        context.Response.Headers[HeaderNames.Location] = url;
        context.Response.ContentLength = 0;
        return url;
    }

    private static string Fill(string template, HttpRequest request)
    {
        if (!template.Contains("#{", StringComparison.Ordinal)) return template;
        var path = request.Path.HasValue ? request.Path.Value! : "/";
        return template
            .Replace("#{protocol}", request.Scheme, StringComparison.Ordinal)
            .Replace("#{host}", request.Host.Host, StringComparison.Ordinal)
            .Replace("#{port}", request.HttpContext.Connection.LocalPort.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal)
            .Replace("#{path}", path.TrimStart('/'), StringComparison.Ordinal)
            .Replace("#{query}", request.QueryString.HasValue ? request.QueryString.Value![1..] : "", StringComparison.Ordinal);
    }
}
