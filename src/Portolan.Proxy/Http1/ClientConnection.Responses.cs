using System.Text;
using Microsoft.AspNetCore.WebUtilities;
using Portolan.Proxy.Routing;

namespace Portolan.Proxy.Http1;

/// <summary>Responses the load balancer makes itself: ALB's error pages, fixed responses and redirects.</summary>
internal sealed partial class ClientConnection
{
    /// <summary>ALB's error page for <paramref name="status"/> (502, 503, 504), counted as the load balancer's error.</summary>
    private void RespondFromLoadBalancer(int status)
    {
        _listener.Runtime.Counters.RecordLoadBalancerError();
        var page = ErrorPage(status);
        Respond(status, "text/html"u8, page, location: null);
    }

    private void RespondFixed(FixedResponseRoute route)
    {
        Span<byte> contentType = stackalloc byte[route.ContentType?.Length ?? 0];
        if (route.ContentType is not null) Encoding.ASCII.GetBytes(route.ContentType, contentType);
        Respond(route.StatusCode, route.ContentType is null ? default : contentType, route.Body.Span, location: null);
    }

    private void RespondRedirect(RedirectRoute route)
    {
        _redirectUrl = route.Location(this);
        Respond(route.StatusCode, default, default, _redirectUrl);
    }

    /// <summary>Writes a whole response, records the request and gets ready for the next one.</summary>
    private void Respond(int status, scoped ReadOnlySpan<byte> contentType, scoped ReadOnlySpan<byte> body, string? location)
    {
        SkipRequestBody();
        if (_head.ConnectionClose || _listener.Stopping) _closeAfterResponse = true;

        var w = new HeadWriter(ref _out);
        w.Write("HTTP/1.1 "u8);
        w.WriteInt(status);
        w.Write(" "u8);
        w.WriteAscii(ReasonPhrases.GetReasonPhrase(status));
        w.Write("\r\n"u8);
        w.Write(DateLine.For(_received));
        if (!contentType.IsEmpty)
        {
            w.Write("Content-Type: "u8);
            w.Write(contentType);
            w.Write("\r\n"u8);
        }
        if (location is not null)
        {
            w.Write("Location: "u8);
            w.WriteAscii(location);
            w.Write("\r\n"u8);
        }
        w.Write("Content-Length: "u8);
        w.WriteInt(body.Length);
        w.Write("\r\n"u8);
        if (_closeAfterResponse) w.Write("Connection: close\r\n"u8);
        w.Write("\r\n"u8);
        if (!_isHeadMethod) w.Write(body);
        w.Commit();

        _status = status;
        _responseBytes = body.Length;
        Record(status);
        ClearExchange();
        _requests++;
        EnterHead();
    }

    /// <summary>
    /// Drops the request's head and whatever of its body has arrived. A body still on its way (or chunked) means
    /// the connection cannot carry another request: it closes after this response.
    /// </summary>
    private void SkipRequestBody()
    {
        if (!_headPending)
        {
            if (!_requestDone) _closeAfterResponse = true;
            return;
        }
        _headPending = false;
        _in.Consume(_head.Length);
        if (_head.Chunked)
        {
            _closeAfterResponse = true;
            return;
        }
        var length = Math.Max(0, _head.ContentLength);
        if (length <= _in.Length) _in.Consume((int)length);
        else _closeAfterResponse = true;
    }

    private static ReadOnlySpan<byte> ErrorPage(int status) => status switch
    {
        502 => "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n</body>\r\n</html>\r\n"u8,
        503 => "<html>\r\n<head><title>503 Service Temporarily Unavailable</title></head>\r\n<body>\r\n<center><h1>503 Service Temporarily Unavailable</h1></center>\r\n</body>\r\n</html>\r\n"u8,
        504 => "<html>\r\n<head><title>504 Gateway Time-out</title></head>\r\n<body>\r\n<center><h1>504 Gateway Time-out</h1></center>\r\n</body>\r\n</html>\r\n"u8,
        _ => default,
    };
}
