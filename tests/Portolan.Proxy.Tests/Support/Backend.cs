using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Portolan.Proxy.Configuration;

namespace Portolan.Proxy.Tests.Support;

/// <summary>
/// A real target: Kestrel on 127.0.0.1:0, speaking HTTP/1.1 or h2c (prior knowledge) as asked, with the gRPC
/// echo service on h2c. Its answers say who answered and what arrived, so tests can check what the proxy sent.
/// </summary>
public sealed class Backend : IAsyncDisposable
{
    private readonly WebApplication _app;
    private int _requests;

    private Backend(WebApplication app, string name, int port)
    {
        _app = app;
        Name = name;
        Port = port;
    }

    public string Name { get; }
    public int Port { get; }
    public int Requests => Volatile.Read(ref _requests);

    /// <summary>Requests waiting at <c>/hold</c> are released when this completes.</summary>
    public TaskCompletionSource Release { get; private set; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes each time a request reaches <c>/hold</c> (reset with <see cref="ResetHold"/>).</summary>
    public TaskCompletionSource Held { get; private set; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public void ResetHold()
    {
        Release = new(TaskCreationOptions.RunContinuationsAsynchronously);
        Held = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    public TargetConfig Target(TargetHealth health = TargetHealth.Healthy) => new() { Host = "127.0.0.1", Port = Port, Health = health };

    public static async Task<Backend> StartAsync(string name, bool http2 = false)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, o => o.Protocols = http2 ? HttpProtocols.Http2 : HttpProtocols.Http1));
        if (http2) builder.Services.AddGrpc();
        builder.Services.AddSingleton(new BackendName(name));
        var app = builder.Build();
        Backend? self = null;
        app.Use(async (ctx, next) =>
        {
            Interlocked.Increment(ref self!._requests);
            await next(ctx);
        });
        app.MapGet("/hold", async ctx =>
        {
            self!.Held.TrySetResult();
            await self.Release.Task.WaitAsync(ctx.RequestAborted);
            await ctx.Response.WriteAsync(name);
        });
        app.MapGet("/slow", async ctx =>
        {
            await Task.Delay(int.Parse(ctx.Request.Query["ms"]!), ctx.RequestAborted);
            await ctx.Response.WriteAsync(name);
        });
        app.MapGet("/stream", async ctx =>
        {
            // Chunks until the client goes away (or the server dies under it).
            for (var i = 0; i < 10_000 && !ctx.RequestAborted.IsCancellationRequested; i++)
            {
                await ctx.Response.WriteAsync($"{name}-{i}\n");
                await ctx.Response.Body.FlushAsync();
                await Task.Delay(20);
            }
        });
        app.MapGet("/login", async ctx =>
        {
            // An application's own session cookie (what app_cookie stickiness follows).
            ctx.Response.Headers.SetCookie = $"session={name}; Path=/";
            ctx.Response.ContentType = "application/json";
            await ctx.Response.WriteAsync(JsonSerializer.Serialize(new Dictionary<string, string> { ["server"] = name }));
        });
        app.MapPost("/upload", async ctx =>
        {
            using var body = new MemoryStream();
            await ctx.Request.Body.CopyToAsync(body);
            await ctx.Response.WriteAsync($"{name}:{body.Length}");
        });
        if (http2) app.MapGrpcService<EchoService>();
        app.Use(async (HttpContext ctx, RequestDelegate next) =>
        {
            if (ctx.GetEndpoint() is not null)
            {
                await next(ctx);
                return;
            }

            var r = ctx.Request;
            var seen = new Dictionary<string, string?>
            {
                ["server"] = name,
                ["protocol"] = r.Protocol,
                ["method"] = r.Method,
                ["path"] = r.Path.Value,
                ["query"] = r.QueryString.Value,
                ["host"] = r.Headers.Host,
                ["xff"] = r.Headers["X-Forwarded-For"],
                ["xfproto"] = r.Headers["X-Forwarded-Proto"],
                ["xfport"] = r.Headers["X-Forwarded-Port"],
                ["trace"] = r.Headers["X-Amzn-Trace-Id"],
            };
            ctx.Response.ContentType = "application/json";
            await ctx.Response.WriteAsync(JsonSerializer.Serialize(seen));
        });
        await app.StartAsync();
        var port = new Uri(app.Urls.First()).Port;
        self = new Backend(app, name, port);
        return self;
    }

    /// <summary>Stops the target at once: open connections are cut, the port refuses from now on.</summary>
    public async ValueTask DisposeAsync()
    {
        using var now = new CancellationTokenSource(TimeSpan.Zero);
        try
        {
            await _app.StopAsync(now.Token);
        }
        catch (OperationCanceledException)
        {
        }
        await _app.DisposeAsync();
    }
}

public sealed record BackendName(string Name);
