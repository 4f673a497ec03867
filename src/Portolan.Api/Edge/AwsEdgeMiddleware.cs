using Microsoft.AspNetCore.Http;

namespace Portolan.Api.Edge;

/// <summary>
/// Sends every POST, on any path and whatever its Host, to the AWS edge; everything else goes down the pipeline
/// (status page, console). The CLI always posts <c>/</c>, and through an HTTP proxy the request line is absolute-form
/// (<c>POST http://data-127.0.0.1:7766/</c>), which Kestrel accepts and which this never looks at.
/// </summary>
internal sealed class AwsEdgeMiddleware(RequestDelegate next, AwsEdgeHandler handler)
{
    public Task InvokeAsync(HttpContext context) =>
        HttpMethods.IsPost(context.Request.Method) ? handler.HandleAsync(context) : next(context);
}
