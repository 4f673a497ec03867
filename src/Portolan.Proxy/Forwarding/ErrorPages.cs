using System.Text;
using Microsoft.AspNetCore.Http;

namespace Portolan.Proxy.Forwarding;

/// <summary>The small HTML pages ALB answers with when it, not a target, produces the error.</summary>
internal static class ErrorPages
{
    private static readonly Dictionary<int, byte[]> Pages = new()
    {
        [502] = Page("502 Bad Gateway"),
        [503] = Page("503 Service Temporarily Unavailable"),
        [504] = Page("504 Gateway Time-out"),
        [400] = Page("400 Bad Request"),
    };

    /// <summary>Sets the status and, if the response has not started, writes the page.</summary>
    public static Task WriteAsync(HttpContext context, int status)
    {
        var response = context.Response;
        if (response.HasStarted) return Task.CompletedTask;
        response.StatusCode = status;
        if (!Pages.TryGetValue(status, out var page)) return Task.CompletedTask;
        response.Headers.Clear();
        response.ContentType = "text/html";
        response.ContentLength = page.Length;
        return response.Body.WriteAsync(page, 0, page.Length);
    }

    private static byte[] Page(string title) =>
        Encoding.ASCII.GetBytes($"<html>\r\n<head><title>{title}</title></head>\r\n<body>\r\n<center><h1>{title}</h1></center>\r\n</body>\r\n</html>\r\n");
}
