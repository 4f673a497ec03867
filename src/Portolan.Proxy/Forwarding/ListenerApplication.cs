using System.Diagnostics;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Abstractions;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Portolan.Proxy.Listeners;
using Portolan.Proxy.Observability;
using Portolan.Proxy.Routing;
using Yarp.ReverseProxy.Forwarder;

namespace Portolan.Proxy.Forwarding;

/// <summary>
/// What a listener's Kestrel server runs for each request: match the rules, then forward, answer or redirect;
/// count it and log it. There is no middleware pipeline in between, and the per-request context is reused
/// (<see cref="ProxyHttpContext"/>).
/// </summary>
internal sealed class ListenerApplication(
    ListenerRuntime listener,
    IHttpForwarder forwarder,
    TimeProvider time,
    ProxyMetrics metrics,
    AccessLog accessLog) : IHttpApplication<ProxyHttpContext>
{
    public ProxyHttpContext CreateContext(IFeatureCollection contextFeatures)
    {
        ProxyHttpContext context;
        if (contextFeatures is IHostContextContainer<ProxyHttpContext> container)
        {
            if (container.HostContext is { } reused)
            {
                reused.Reuse(contextFeatures);
                context = reused;
            }
            else
            {
                context = container.HostContext = new ProxyHttpContext(contextFeatures);
            }
        }
        else
        {
            context = new ProxyHttpContext(contextFeatures);
        }
        context.Begin(Stopwatch.GetTimestamp(), time.GetUtcNow());
        return context;
    }

    public Task ProcessRequestAsync(ProxyHttpContext context)
    {
        var action = listener.Routes.Match(context, out var priority);
        context.RulePriority = priority;
        context.Actions = action.Name;
        switch (action)
        {
            case ForwardRoute forward:
                return ForwardAsync(context, forward);
            case FixedResponseRoute fixedResponse:
                return fixedResponse.WriteAsync(context.Http);
            case RedirectRoute redirect:
                context.RedirectUrl = redirect.Location(context);
                WriteRedirect(context.Response, redirect.StatusCode, context.RedirectUrl);
                return Task.CompletedTask;
            default:
                return ErrorPages.WriteAsync(context.Http, 503);
        }
    }

    private static void WriteRedirect(HttpResponse response, int status, string location)
    {
        response.StatusCode = status;
        response.Headers.Location = location;
        response.ContentLength = 0;
    }

    public void DisposeContext(ProxyHttpContext context, Exception? exception)
    {
        var elapsed = Stopwatch.GetElapsedTime(context.StartTimestamp);
        var status = context.LoggedStatus != 0 ? context.LoggedStatus : exception is null ? context.Response.StatusCode : 500;
        listener.Counters.Record(status, elapsed);
        context.Group?.Counters.Record(context.TargetStatus != 0 ? context.TargetStatus : status, elapsed);
        metrics.RecordDuration(listener.Counters, elapsed);
        if (accessLog.Enabled) accessLog.Write(ToEntry(context, status));
        context.Http.Uninitialize();
    }

    private async Task ForwardAsync(ProxyHttpContext context, ForwardRoute route)
    {
        var branch = route.Pick(context);
        if (branch is null)
        {
            context.ErrorReason = "NoTargetGroupWeight";
            listener.Counters.RecordLoadBalancerError();
            await ErrorPages.WriteAsync(context.Http, 503);
            return;
        }

        var group = branch.Group;
        context.Group = group;
        var target = group.Pick(context, out _);
        if (target is null)
        {
            // No registered target that may take requests: ALB's 503.
            context.ErrorReason = "NoRegisteredTargets";
            listener.Counters.RecordLoadBalancerError();
            await ErrorPages.WriteAsync(context.Http, 503);
            return;
        }

        context.Target = target;
        context.TargetCookieLine = target.SetCookieLine;
        context.AppCookieName = group.Config.AppCookieName;
        if (route.Sticky) context.GroupCookieLine = branch.GroupCookieLine;
        context.TraceId = TraceIds.For(context, context.Received);
        context.TargetStartTimestamp = Stopwatch.GetTimestamp();
        ForwarderError error;
        try
        {
            error = await forwarder.SendAsync(context.Http, target.Prefix, target.Invoker, branch.RequestConfig, AlbTransformer.Instance, target.Aborted);
        }
        finally
        {
            context.TargetEndTimestamp = Stopwatch.GetTimestamp();
            target.Exit();
        }

        if (error != ForwarderError.None) await OnErrorAsync(context, error);
    }

    /// <summary>Maps the forwarder's outcome to what ALB answers and logs.</summary>
    private async Task OnErrorAsync(ProxyHttpContext context, ForwarderError error)
    {
        var group = context.Group!;
        var exception = context.Features.Get<IForwarderErrorFeature>()?.Exception;
        switch (error)
        {
            case ForwarderError.RequestTimedOut:
                context.ErrorReason = "TargetResponseTimeout";
                group.Counters.RecordTargetTimeout();
                listener.Counters.RecordLoadBalancerError();
                await ErrorPages.WriteAsync(context.Http, 504);
                break;
            case ForwarderError.Request when IsConnectTimeout(exception):
                context.ErrorReason = "TargetConnectionTimeout";
                group.Counters.RecordTargetTimeout();
                listener.Counters.RecordLoadBalancerError();
                await ErrorPages.WriteAsync(context.Http, 504);
                break;
            case ForwarderError.Request or ForwarderError.ResponseHeaders or ForwarderError.RequestCreation:
                context.ErrorReason = "TargetConnectionError";
                group.Counters.RecordTargetConnectionError();
                listener.Counters.RecordLoadBalancerError();
                await ErrorPages.WriteAsync(context.Http, 502);
                break;
            case ForwarderError.ResponseBodyDestination or ForwarderError.RequestBodyDestination:
                // The target broke off mid-exchange; the client's stream is reset (nothing else can be said now).
                context.ErrorReason = "TargetResponseError";
                context.LoggedStatus = 502;
                group.Counters.RecordTargetConnectionError();
                listener.Counters.RecordLoadBalancerError();
                await ErrorPages.WriteAsync(context.Http, 502);
                break;
            case ForwarderError.RequestCanceled or ForwarderError.RequestBodyCanceled or ForwarderError.ResponseBodyCanceled
                when context.Http.RequestAborted.IsCancellationRequested:
                context.ErrorReason = "ClientClosedConnection";
                context.LoggedStatus = 460; // ALB's code for a client that went away first
                break;
            case ForwarderError.RequestCanceled or ForwarderError.RequestBodyCanceled or ForwarderError.ResponseBodyCanceled:
                // Cut by us: the target's deregistration delay ran out.
                context.ErrorReason = "TargetDeregistered";
                context.LoggedStatus = 502;
                if (context.Response.HasStarted) context.Http.Abort();
                else await ErrorPages.WriteAsync(context.Http, 502);
                break;
            default:
                context.ErrorReason = error.ToString();
                if (context.Response.StatusCode < 400 && !context.Response.HasStarted) await ErrorPages.WriteAsync(context.Http, 400);
                break;
        }
    }

    private static bool IsConnectTimeout(Exception? exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e is TimeoutException) return true;
        }
        return false;
    }

    private AccessLogEntry ToEntry(ProxyHttpContext c, int status)
    {
        var request = c.Request;
        var now = time.GetUtcNow();
        var reached = c.TargetStartTimestamp != 0;
        var http2 = HttpProtocol.IsHttp2(request.Protocol);
        var grpc = request.ContentType?.StartsWith("application/grpc", StringComparison.Ordinal) == true;
        return new AccessLogEntry
        {
            Type = (request.IsHttps, http2, grpc) switch
            {
                (true, _, true) => "grpcs",
                (false, _, true) => "grpc",
                (true, true, _) => "h2",
                (false, true, _) => "h2c",
                (true, false, _) => "https",
                _ => "http",
            },
            Received = c.Received,
            Completed = now,
            LoadBalancer = listener.LoadBalancerName,
            ClientAddress = c.ClientAddress,
            ClientPort = c.Connection.RemotePort,
            Target = c.Target?.Key,
            RequestProcessingTime = reached ? Stopwatch.GetElapsedTime(c.StartTimestamp, c.TargetStartTimestamp).TotalSeconds : -1,
            TargetProcessingTime = reached ? Stopwatch.GetElapsedTime(c.TargetStartTimestamp, c.TargetEndTimestamp).TotalSeconds : -1,
            ElbStatus = status,
            TargetStatus = c.TargetStatus,
            ReceivedBytes = request.ContentLength ?? 0,
            SentBytes = c.Response.ContentLength ?? 0,
            Method = request.Method,
            Scheme = request.Scheme,
            Host = request.Host.Host,
            Port = c.Connection.LocalPort,
            Path = request.Path.Value,
            Query = request.QueryString.Value,
            Protocol = request.Protocol,
            UserAgent = request.Headers.UserAgent,
            TargetGroup = c.Group?.Id,
            TraceId = c.TraceId,
            MatchedRulePriority = c.RulePriority,
            Actions = c.Actions,
            RedirectUrl = c.RedirectUrl,
            ErrorReason = c.ErrorReason,
        };
    }
}
