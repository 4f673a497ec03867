using Microsoft.AspNetCore.Http;
using Portolan.Api.Auth;
using Portolan.WebConsole.Live;
using Portolan.WebConsole.Views;

namespace Portolan.WebConsole.Web;

/// <summary>
/// Everything under <see cref="ConsolePaths.Root"/> on the API port: the console's files, and the few read-only
/// views no AWS API offers (<c>api/…</c>). The console's data otherwise comes from the AWS APIs themselves, posted
/// to the same port as the CLI's requests. POSTs never get here: the AWS edge takes every POST.
/// </summary>
internal sealed class ConsoleMiddleware(
    RequestDelegate next,
    ConsoleAssets assets,
    RevisionEventStream events,
    ConsoleViews views,
    RequestAuthenticator authenticator)
{
    // The pages load only their own scripts and styles and talk only to this origin; nothing inline runs.
    private const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

    public Task InvokeAsync(HttpContext context)
    {
        var request = context.Request;
        var path = request.Path.Value ?? "";
        if (!path.StartsWith(ConsolePaths.Root, StringComparison.Ordinal) || !(HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method)))
        {
            return next(context);
        }

        if (path.Length == ConsolePaths.Root.Length)
        {
            context.Response.Redirect(ConsolePaths.Root + "/" + request.QueryString, permanent: false);
            return Task.CompletedTask;
        }

        if (path[ConsolePaths.Root.Length] != '/') return next(context);
        var relative = path[(ConsolePaths.Root.Length + 1)..];
        if (relative.StartsWith(ConsolePaths.ApiPrefix, StringComparison.Ordinal))
        {
            return ServeApiAsync(context, relative[ConsolePaths.ApiPrefix.Length..]);
        }

        return ServeAsset(context, relative.Length == 0 ? "index.html" : relative);
    }

    private Task ServeApiAsync(HttpContext context, string name)
    {
        var response = context.Response;
        response.Headers.CacheControl = "no-store";
        if (!authenticator.TryAuthenticate(context, out var code, out var message))
        {
            return ConsoleViews.WriteErrorAsync(context, StatusCodes.Status403Forbidden, code, message);
        }

        return name switch
        {
            "events" => events.ServeAsync(context),
            "dns-records" => views.DnsRecordsAsync(context),
            "health-timeline" => views.HealthTimelineAsync(context),
            "target-health-timeline" => views.TargetHealthTimelineAsync(context),
            _ => ConsoleViews.WriteErrorAsync(context, StatusCodes.Status404NotFound, "NotFound", $"No console view '{name}'."),
        };
    }

    private Task ServeAsset(HttpContext context, string relative)
    {
        var response = context.Response;
        if (!assets.TryGet(relative, out var asset))
        {
            response.StatusCode = StatusCodes.Status404NotFound;
            return Task.CompletedTask;
        }

        response.Headers.ETag = asset.ETag;
        // Revalidate every time: a server upgrade must never leave a page on an old script.
        response.Headers.CacheControl = "no-cache";
        response.Headers.XContentTypeOptions = "nosniff";
        response.Headers.ContentSecurityPolicy = ContentSecurityPolicy;
        response.Headers["Referrer-Policy"] = "no-referrer";
        if (context.Request.Headers.IfNoneMatch == asset.ETag)
        {
            response.StatusCode = StatusCodes.Status304NotModified;
            return Task.CompletedTask;
        }

        response.ContentType = asset.ContentType;
        response.ContentLength = asset.Content.Length;
        return HttpMethods.IsHead(context.Request.Method) ? Task.CompletedTask : response.Body.WriteAsync(asset.Content).AsTask();
    }
}

/// <summary>Where the console lives on the API port.</summary>
public static class ConsolePaths
{
    /// <summary>The console's root: <c>http://127.0.0.1:7766/console/</c>.</summary>
    public const string Root = "/console";

    /// <summary>Read-only views and the event stream, under the root: <c>/console/api/…</c>.</summary>
    internal const string ApiPrefix = "api/";
}
