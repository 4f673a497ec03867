using System.Text.Json;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Portolan.Api.Edge;
using Portolan.WebConsole.Web;

namespace Portolan.Hosting;

/// <summary>
/// <c>GET /</c> and <c>HEAD /</c> on the API port: a small JSON document, so that scripts can wait for readiness
/// (<c>curl -fsS http://127.0.0.1:7766/</c>) and see what is served. A browser (one that asks for HTML) is sent on
/// to the console instead; scripts and curl, which accept anything, keep getting the document.
/// </summary>
internal sealed class StatusPage(RequestDelegate next, IServer server, PortolanOptions options, IEnumerable<IAwsService> services)
{
    private byte[]? _document;

    public Task InvokeAsync(HttpContext context)
    {
        var request = context.Request;
        if (request.Path.Value != "/" || !(HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method)))
        {
            return next(context);
        }

        if (PrefersHtml(request))
        {
            context.Response.Redirect(ConsolePaths.Root + "/");
            return Task.CompletedTask;
        }

        var document = _document ?? Build();
        var response = context.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "application/json";
        response.ContentLength = document.Length;
        response.Headers.CacheControl = "no-store";
        return HttpMethods.IsHead(request.Method) ? Task.CompletedTask : response.Body.WriteAsync(document).AsTask();
    }

    /// <summary>Browsers list text/html explicitly; curl (<c>*/*</c>) and HTTP clients with no Accept do not.</summary>
    private static bool PrefersHtml(HttpRequest request)
    {
        foreach (var accept in request.Headers.Accept)
        {
            if (accept is not null && accept.Contains("text/html", StringComparison.OrdinalIgnoreCase)) return true;
        }

        return false;
    }

    private byte[] Build()
    {
        var addresses = server.Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteString("service", "portolan");
            json.WriteString("version", VersionInfo.Version);
            json.WriteString("region", options.Region);
            json.WriteString("account", options.Account);
            json.WriteBoolean("auth", options.AuthFile is not null);
            json.WriteString("console", ConsolePaths.Root + "/");
            json.WriteString("metrics", "/metrics");
            json.WriteStartObject("endpoints");
            json.WriteStartArray("api");
            foreach (var address in addresses)
            {
                json.WriteStringValue(address);
            }

            json.WriteEndArray();
            json.WriteEndObject();
            json.WriteStartArray("services");
            foreach (var service in services)
            {
                json.WriteStringValue(service.SigningName);
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        var document = buffer.ToArray();
        // Addresses are final once the server has started; only then is the document worth keeping.
        if (addresses.Count > 0)
        {
            _document = document;
        }

        return document;
    }
}
