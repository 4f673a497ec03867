using System.Globalization;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using Portolan.Api.Auth;
using Portolan.Core.Ecs;

namespace Portolan.Api.Ecs;

/// <summary>
/// <c>GET /portolan/ecs/tasks/&lt;task-id&gt;/logs/&lt;container&gt;[?tail=N]</c> on the API port: a container's stdout and
/// stderr as the process wrote them (text/plain; the last 4 MiB at most, or the last N lines). ECS sends container
/// output to CloudWatch Logs, which Portolan does not have; this is the read path the console uses too. Task logs
/// can hold secrets, so with <c>--auth</c> (signed API calls only) the endpoint answers 403 and the files under
/// <c>&lt;data-dir&gt;/tasks/</c> are the way to read them.
/// </summary>
public sealed class TaskLogsEndpoint(RequestDelegate next, ITaskLogSource logs, IOptions<AwsAuthOptions> auth)
{
    public const string PathPrefix = "/portolan/ecs/tasks/";
    private const int MaxBytes = 4 * 1024 * 1024;

    public async Task InvokeAsync(HttpContext context)
    {
        var request = context.Request;
        var path = request.Path.Value;
        if (path is null || !path.StartsWith(PathPrefix, StringComparison.Ordinal) || !(HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method)))
        {
            await next(context);
            return;
        }
        var response = context.Response;
        var parts = path[PathPrefix.Length..].Split('/');
        if (parts.Length != 3 || parts[1] != "logs" || logs.LogPath(parts[0], parts[2]) is not { } file)
        {
            await PlainAsync(response, StatusCodes.Status404NotFound, "No such task log: use /portolan/ecs/tasks/<task-id>/logs/<container-name>.\n");
            return;
        }
        if (auth.Value.AccessKeys is not null)
        {
            await PlainAsync(response, StatusCodes.Status403Forbidden, "Task logs are not served when the API requires signed requests (--auth); read them under <data-dir>/tasks/.\n");
            return;
        }
        var tail = int.TryParse(request.Query["tail"], NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : (int?)null;
        var text = await ReadAsync(file, tail, context.RequestAborted);
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "text/plain; charset=utf-8";
        response.Headers.CacheControl = "no-store";
        response.ContentLength = text.Length;
        if (HttpMethods.IsGet(request.Method)) await response.Body.WriteAsync(text, context.RequestAborted);
    }

    private static async Task<byte[]> ReadAsync(string file, int? tail, CancellationToken ct)
    {
        // The process may be writing while we read: read what is there, from at most MaxBytes before the end.
        await using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        var start = Math.Max(0, stream.Length - MaxBytes);
        stream.Seek(start, SeekOrigin.Begin);
        var buffer = new byte[stream.Length - start];
        var read = await stream.ReadAtLeastAsync(buffer, buffer.Length, throwOnEndOfStream: false, ct);
        var bytes = buffer.AsSpan(0, read);
        if (tail is not { } lines) return bytes.ToArray();
        if (lines == 0) return [];
        var at = bytes.Length;
        if (at > 0 && bytes[at - 1] == (byte)'\n') at--;
        for (var seen = 0; at > 0; at--)
        {
            if (bytes[at - 1] == (byte)'\n' && ++seen == lines) break;
        }
        return bytes[at..].ToArray();
    }

    private static Task PlainAsync(HttpResponse response, int status, string text)
    {
        response.StatusCode = status;
        response.ContentType = "text/plain; charset=utf-8";
        return response.WriteAsync(text);
    }
}
