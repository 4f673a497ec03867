using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Portolan.Health.Tests.Support;

/// <summary>A real HTTP/1.1 service on a loopback address answering 200 on <c>/health</c>; stoppable and restartable on the same port.</summary>
internal sealed class HttpTarget : IAsyncDisposable
{
    private WebApplication? _app;

    private HttpTarget(IPAddress address) => Address = address;

    public IPAddress Address { get; }
    public int Port { get; private set; }

    public static async Task<HttpTarget> StartAsync(IPAddress address, int port = 0)
    {
        var target = new HttpTarget(address);
        await target.StartOnAsync(port);
        return target;
    }

    private async Task StartOnAsync(int port)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(Address, port));
        var app = builder.Build();
        app.MapGet("/health", () => Results.Ok("ok"));
        await app.StartAsync();
        Port = new Uri(app.Urls.First()).Port;
        _app = app;
    }

    /// <summary>Stops listening and closes every connection, as a crashed process would leave the port.</summary>
    public async Task StopAsync()
    {
        if (_app is null) return;
        await _app.StopAsync();
        await _app.DisposeAsync();
        _app = null;
    }

    public Task RestartAsync() => StartOnAsync(Port);

    public async ValueTask DisposeAsync() => await StopAsync();
}
