using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;

namespace Portolan.Health.Tests.Support;

/// <summary>
/// Real probe targets on 127.0.0.1, one set per test class: Kestrel speaking HTTP/1.1, cleartext HTTP/2 (also the
/// h2c gRPC endpoint, with a real grpc.health.v1 service from Grpc.AspNetCore.HealthChecks) and TLS with a
/// self-signed certificate (HTTP/1.1, HTTP/2 and gRPC by ALPN); plus raw sockets: a TCP listener that accepts, one
/// that never answers (the kernel completes the handshake, nobody reads), one that resets every connection, and a
/// port where nothing listens.
/// HTTP routes: <c>/status/{code}</c> answers that code, <c>/hang</c> never answers, <c>/counted</c> counts connections.
/// </summary>
public sealed class ProbeTargets : IAsyncLifetime
{
    private readonly List<Socket> _sockets = [];
    private readonly CancellationTokenSource _stop = new();
    private WebApplication? _app;
    private ListenOptions? _http1, _h2c, _tls;

    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, int> _counted = new();

    /// <summary>Requests to <c>/counted</c> and the distinct connections they came on.</summary>
    public int CountedRequests => _counted.Values.Sum();
    public int CountedConnections => _counted.Count;

    /// <summary>What the gRPC health service reports (SERVING when true).</summary>
    public bool GrpcServing { get; set; } = true;

    public int Http1Port => _http1!.IPEndPoint!.Port;
    public int H2cPort => _h2c!.IPEndPoint!.Port;
    public int TlsPort => _tls!.IPEndPoint!.Port;
    public int TcpPort { get; private set; }
    public int HangPort { get; private set; }
    public int ResetPort { get; private set; }
    public int ClosedPort { get; private set; }

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddGrpc();
        builder.Services.AddGrpcHealthChecks().AddCheck("target", () => GrpcServing ? HealthCheckResult.Healthy() : HealthCheckResult.Unhealthy());
        var certificate = SelfSigned();
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.Listen(IPAddress.Loopback, 0, o => { o.Protocols = HttpProtocols.Http1; _http1 = o; });
            k.Listen(IPAddress.Loopback, 0, o => { o.Protocols = HttpProtocols.Http2; _h2c = o; });
            k.Listen(IPAddress.Loopback, 0, o => { o.Protocols = HttpProtocols.Http1AndHttp2; o.UseHttps(certificate); _tls = o; });
        });
        var app = builder.Build();
        app.MapGrpcHealthChecksService();
        app.MapGet("/status/{code:int}", (int code) => Results.StatusCode(code));
        app.MapGet("/counted", (HttpContext ctx) =>
        {
            _counted.AddOrUpdate(ctx.Connection.Id, 1, (_, n) => n + 1);
            return Results.Ok();
        });
        app.MapGet("/hang", async (HttpContext ctx) =>
        {
            await Task.Delay(Timeout.Infinite, ctx.RequestAborted).ContinueWith(_ => { }, TaskScheduler.Default);
            return Results.Ok();
        });
        await app.StartAsync();
        _app = app;

        TcpPort = Listen(out var accepting);
        _ = AcceptAsync(accepting, reset: false);
        HangPort = Listen(out _);
        ResetPort = Listen(out var resetting);
        _ = AcceptAsync(resetting, reset: true);
        using (var closed = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp))
        {
            closed.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            ClosedPort = ((IPEndPoint)closed.LocalEndPoint!).Port;
        }
    }

    private int Listen(out Socket socket)
    {
        socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        socket.Listen(64);
        _sockets.Add(socket);
        return ((IPEndPoint)socket.LocalEndPoint!).Port;
    }

    private async Task AcceptAsync(Socket listener, bool reset)
    {
        try
        {
            while (true)
            {
                var client = await listener.AcceptAsync(_stop.Token);
                if (reset)
                {
                    // Linger 0: close sends RST instead of FIN.
                    client.LingerState = new LingerOption(true, 0);
                    await Task.Delay(20, _stop.Token);
                }
                client.Dispose();
            }
        }
        catch (Exception) when (_stop.IsCancellationRequested)
        {
        }
        catch (SocketException)
        {
        }
    }

    private static X509Certificate2 SelfSigned()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=portolan-test-target", key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        san.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(san.Build());
        using var cert = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        return X509CertificateLoader.LoadPkcs12(cert.Export(X509ContentType.Pfx), null);
    }

    public async Task DisposeAsync()
    {
        await _stop.CancelAsync();
        foreach (var s in _sockets) s.Dispose();
        if (_app is not null) await _app.DisposeAsync();
        _stop.Dispose();
    }
}
