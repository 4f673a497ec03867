using System.Net;
using System.Text.Json;
using Grpc.Health.V1;
using Grpc.HealthCheck;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Portolan.IntegrationTests.Elb.Traffic;

/// <summary>
/// A real target for the load balancer: Kestrel on 127.0.0.1:0 speaking HTTP/1.1, or cleartext HTTP/2 (h2c, prior
/// knowledge) with the gRPC <see cref="EchoService"/> and grpc.health.v1. Its answers say who answered and over what,
/// so a test sees where the load balancer sent each request; requests from the health checker are told apart by
/// their User-Agent and can be held back (<see cref="HoldHealthChecks"/>).
/// </summary>
public sealed class Backend : IAsyncDisposable
{
    private const string HealthCheckerAgent = "ELB-HealthChecker/2.0";

    private readonly WebApplication _app;
    private int _served;
    private int _stopped;
    private TaskCompletionSource _healthGate = Open();

    private Backend(WebApplication app, string name, int port)
    {
        _app = app;
        Name = name;
        Port = port;
    }

    public string Name { get; }
    public int Port { get; }

    /// <summary>The CLI's form of this target: <c>Id=127.0.0.1,Port=N</c>.</summary>
    public string Target => $"Id=127.0.0.1,Port={Port}";

    /// <summary>Requests served that did not come from the health checker.</summary>
    public int Served => Volatile.Read(ref _served);

    /// <summary>Completes when a request reaches <c>/hold</c>; it waits there until <see cref="Release"/> completes.</summary>
    public TaskCompletionSource Held { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public TaskCompletionSource Release { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Health checks wait (until <see cref="PassHealthChecks"/> or their timeout) instead of being answered.</summary>
    public void HoldHealthChecks() => _healthGate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

    public void PassHealthChecks() => _healthGate.TrySetResult();

    public static async Task<Backend> StartAsync(string name, bool http2 = false, bool grpc = false)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, o => o.Protocols = http2 || grpc ? HttpProtocols.Http2 : HttpProtocols.Http1));
        builder.Services.AddSingleton(new BackendName(name));
        if (grpc)
        {
            builder.Services.AddGrpc();
            var health = new HealthServiceImpl();
            health.SetStatus("", HealthCheckResponse.Types.ServingStatus.Serving);
            builder.Services.AddSingleton(health);
        }
        var app = builder.Build();
        Backend? self = null;
        app.Use(async (ctx, next) =>
        {
            if (ctx.Request.Headers.UserAgent.ToString().Contains(HealthCheckerAgent, StringComparison.Ordinal))
            {
                await self!._healthGate.Task.WaitAsync(ctx.RequestAborted);
            }
            else
            {
                Interlocked.Increment(ref self!._served);
            }
            await next(ctx);
        });
        if (grpc)
        {
            app.MapGrpcService<EchoService>();
            app.MapGrpcService<HealthServiceImpl>();
        }
        app.MapGet("/hold", async ctx =>
        {
            self!.Held.TrySetResult();
            await self.Release.Task.WaitAsync(ctx.RequestAborted);
            await ctx.Response.WriteAsync($"held by {name}");
        });
        app.Use(async (HttpContext ctx, RequestDelegate next) =>
        {
            if (ctx.GetEndpoint() is not null)
            {
                await next(ctx);
                return;
            }
            var seen = new Dictionary<string, string?>
            {
                ["server"] = name,
                ["protocol"] = ctx.Request.Protocol,
                ["path"] = ctx.Request.Path.Value,
                ["host"] = ctx.Request.Host.Value,
                ["xff"] = ctx.Request.Headers["X-Forwarded-For"],
            };
            ctx.Response.ContentType = "application/json";
            await ctx.Response.WriteAsync(JsonSerializer.Serialize(seen));
        });
        await app.StartAsync();
        self = new Backend(app, name, new Uri(app.Urls.First()).Port);
        return self;
    }

    /// <summary>Stops at once: open connections are cut and the port refuses from now on.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _stopped, 1) != 0) return;
        _healthGate.TrySetResult();
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

    private static TaskCompletionSource Open()
    {
        var open = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        open.SetResult();
        return open;
    }
}

public sealed record BackendName(string Name);
