using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Hosting;
using Portolan.Core.Snapshots;

namespace Portolan.WebConsole.Live;

/// <summary>
/// <c>GET /console/api/events</c>: a server-sent event stream of registry revisions. Each event is
/// <c>id: N</c>, <c>event: revision</c>, <c>data: {"revision":N}</c>, sent when a snapshot newer than the last one
/// sent is published (a burst of changes gives one event with the newest revision). The page re-reads what it
/// shows through the AWS APIs when one arrives, so a health flip appears without a reload. A reconnecting
/// <c>EventSource</c> sends <c>Last-Event-ID</c> and gets an event at once if it missed any.
/// </summary>
internal sealed class RevisionEventStream(ISnapshotSource snapshots, IHostApplicationLifetime lifetime)
{
    /// <summary>A comment line this often keeps idle proxies and browsers from closing a quiet stream.</summary>
    internal static readonly TimeSpan KeepAliveInterval = TimeSpan.FromSeconds(15);

    private static readonly byte[] KeepAlive = ": keep-alive\n\n"u8.ToArray();

    public async Task ServeAsync(HttpContext context)
    {
        var response = context.Response;
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-store";
        // Sent as it is written: no response buffering (also tells nginx-style proxies not to buffer).
        response.Headers["X-Accel-Buffering"] = "no";
        context.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
        if (HttpMethods.IsHead(context.Request.Method)) return;

        // The stream ends when the client leaves or the server stops (else it would hold shutdown for its timeout).
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, lifetime.ApplicationStopping);
        var ct = stop.Token;
        try
        {
            long sent = long.TryParse(context.Request.Headers["Last-Event-ID"], NumberStyles.None, CultureInfo.InvariantCulture, out var last) ? last : -1;
            // "retry" tells the browser how soon to reconnect after a drop.
            await response.Body.WriteAsync("retry: 1000\n\n"u8.ToArray(), ct);
            while (!ct.IsCancellationRequested)
            {
                var current = snapshots.Current.Revision;
                if (current != sent)
                {
                    sent = current;
                    await response.Body.WriteAsync(Event(current), ct);
                    await response.Body.FlushAsync(ct);
                }

                var changed = snapshots.WaitForChangeAsync(sent, ct).AsTask();
                while (!changed.IsCompleted)
                {
                    await Task.WhenAny(changed, Task.Delay(KeepAliveInterval, ct));
                    if (changed.IsCompleted) break;
                    ct.ThrowIfCancellationRequested();
                    await response.Body.WriteAsync(KeepAlive, ct);
                    await response.Body.FlushAsync(ct);
                }

                await changed;
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
        catch (IOException)
        {
            // The client went away mid-write.
        }
    }

    private static byte[] Event(long revision) =>
        Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"id: {revision}\nevent: revision\ndata: {{\"revision\":{revision}}}\n\n"));
}
