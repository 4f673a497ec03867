using System.Globalization;
using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;
using Portolan.Proxy.Balancing;
using Yarp.ReverseProxy.Forwarder;

namespace Portolan.Proxy.Forwarding;

/// <summary>
/// What ALB does to a request on its way to a target, on top of YARP's copy of method, path, headers and body:
/// the original Host stays; <c>X-Forwarded-For</c> gets the client appended, <c>X-Forwarded-Proto</c> and
/// <c>X-Forwarded-Port</c> say how the client came, and <c>X-Amzn-Trace-Id</c> carries a trace id (the client's
/// Root is kept). On the way back it adds the stickiness cookies (with application-based stickiness, only when the target set its
/// own cookie).
/// </summary>
internal sealed class AlbTransformer : HttpTransformer
{
    public static readonly AlbTransformer Instance = new();

    private static readonly string[] PortText = [.. Enumerable.Range(0, 65536).Select(p => p.ToString(CultureInfo.InvariantCulture))];

    public override async ValueTask TransformRequestAsync(HttpContext httpContext, HttpRequestMessage proxyRequest, string destinationPrefix, CancellationToken cancellationToken)
    {
        await base.TransformRequestAsync(httpContext, proxyRequest, destinationPrefix, cancellationToken);
        var context = httpContext.Features.Get<ProxyHttpContext>()!;
        var headers = proxyRequest.Headers;

        var client = context.ClientAddress;
        if (client is not null)
        {
            var prior = httpContext.Request.Headers["X-Forwarded-For"];
            headers.Remove("X-Forwarded-For");
            headers.TryAddWithoutValidation("X-Forwarded-For", prior.Count == 0 ? client : prior.ToString() + ", " + client);
        }
        headers.Remove("X-Forwarded-Proto");
        headers.TryAddWithoutValidation("X-Forwarded-Proto", httpContext.Request.IsHttps ? "https" : "http");
        headers.Remove("X-Forwarded-Port");
        headers.TryAddWithoutValidation("X-Forwarded-Port", PortText[httpContext.Connection.LocalPort]);
        headers.Remove("X-Amzn-Trace-Id");
        headers.TryAddWithoutValidation("X-Amzn-Trace-Id", context.TraceId);
    }

    public override async ValueTask<bool> TransformResponseAsync(HttpContext httpContext, HttpResponseMessage? proxyResponse, CancellationToken cancellationToken)
    {
        var proceed = await base.TransformResponseAsync(httpContext, proxyResponse, cancellationToken);
        var context = httpContext.Features.Get<ProxyHttpContext>()!;
        if (proxyResponse is not null) context.TargetStatus = (int)proxyResponse.StatusCode;
        if (context.TargetCookieLine is not null && (context.AppCookieName is null || StickyCookies.Sets(httpContext.Response, context.AppCookieName)))
        {
            httpContext.Response.Headers.Append(HeaderNames.SetCookie, context.TargetCookieLine);
        }
        if (context.GroupCookieLine is not null) httpContext.Response.Headers.Append(HeaderNames.SetCookie, context.GroupCookieLine);
        return proceed;
    }
}
