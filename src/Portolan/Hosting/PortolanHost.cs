using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;
using Portolan.Api.Auth;
using Portolan.Api.Edge;
using Portolan.Dns.Server;
using Portolan.Storage;
using Portolan.WebConsole;
using Portolan.WebConsole.Metrics;

namespace Portolan.Hosting;

/// <summary>
/// A running Portolan server. <c>portolan serve</c> uses it, and so can tests, in-process:
/// <code>
/// await using var host = await PortolanHost.StartAsync(new PortolanOptions { ApiEndpoints = [new("127.0.0.1", 0)], DataDir = dir });
/// var endpoint = host.ApiUri; // http://127.0.0.1:41234/
/// </code>
/// </summary>
public sealed class PortolanHost : IAsyncDisposable
{
    private static readonly TimeSpan ShutdownTimeout = TimeSpan.FromSeconds(10);

    private readonly WebApplication _app;
    private readonly IStore _store;
    private int _stopped;

    private PortolanHost(WebApplication app, IStore store, PortolanOptions options, IReadOnlyList<Uri> apiEndpoints, IReadOnlyList<string> warnings)
    {
        _app = app;
        _store = store;
        Options = options;
        ApiEndpoints = apiEndpoints;
        Warnings = warnings;
    }

    /// <summary>The options in effect, with <see cref="PortolanOptions.DataDir"/> made absolute.</summary>
    public PortolanOptions Options { get; }

    /// <summary>Every bound API endpoint with its real port, e.g. <c>http://127.0.0.1:41234/</c> and <c>http://[::1]:41234/</c>.</summary>
    public IReadOnlyList<Uri> ApiEndpoints { get; }

    /// <summary>The first API endpoint: the one to give <c>--endpoint-url</c>.</summary>
    public Uri ApiUri => ApiEndpoints[0];

    /// <summary>Start-up notes worth telling the user (e.g. no IPv6 loopback).</summary>
    public IReadOnlyList<string> Warnings { get; }

    public IServiceProvider Services => _app.Services;

    /// <summary>The bound DNS UDP endpoint with its real port (e.g. for <c>--dns 127.0.0.1:0</c>); null when DNS is not served.</summary>
    public IPEndPoint? DnsUdpEndPoint => _app.Services.GetService<IDnsServer>()?.UdpEndPoint;

    /// <summary>The bound DNS TCP endpoint: the same address and port as <see cref="DnsUdpEndPoint"/>.</summary>
    public IPEndPoint? DnsTcpEndPoint => _app.Services.GetService<IDnsServer>()?.TcpEndPoint;

    /// <summary>Completes when the server has been asked to stop (by <see cref="StopAsync"/> or from inside).</summary>
    public CancellationToken Stopping => _app.Lifetime.ApplicationStopping;

    /// <summary>Starts a server with the given options and returns once it is listening.</summary>
    /// <exception cref="IOException">The API address cannot be bound.</exception>
    /// <exception cref="FormatException">The access-key file is malformed.</exception>
    public static Task<PortolanHost> StartAsync(PortolanOptions options, CancellationToken cancellationToken = default) =>
        StartAsync(options, configureServices: null, configureLogging: null, cancellationToken);

    /// <param name="options">What <c>portolan serve</c> would be given on its command line.</param>
    /// <param name="configureServices">Extra registrations after the server's own, e.g. a test's services.</param>
    /// <param name="configureLogging">Replaces the default logging (console, on stderr).</param>
    /// <param name="cancellationToken">Aborts the start.</param>
    public static async Task<PortolanHost> StartAsync(
        PortolanOptions options,
        Action<IServiceCollection>? configureServices,
        Action<ILoggingBuilder>? configureLogging = null,
        CancellationToken cancellationToken = default)
    {
        options = options with { DataDir = Path.GetFullPath(options.DataDir) };
        var accessKeys = options.AuthFile is null ? null : AccessKeyStore.Load(options.AuthFile);
        Directory.CreateDirectory(options.DataDir);

        var listeners = ApiListeners.Bind(options.ApiEndpoints);
        // The default node name needs the bound port (several nodes may share a machine).
        options = options with { NodeName = options.NodeName ?? $"{Environment.MachineName}-{listeners.EndPoints[0].Port}" };
        IStore? store = null;
        try
        {
            store = await StoreOpener.OpenAsync(options, cancellationToken);
            var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions
            {
                ApplicationName = "portolan",
                ContentRootPath = AppContext.BaseDirectory,
            });

            ConfigureServer(builder, listeners);
            if (configureLogging is not null)
            {
                configureLogging(builder.Logging);
            }
            else
            {
                ConfigureDefaultLogging(builder.Logging, options.LogFormat);
            }

            builder.Services.AddSingleton<IHostLifetime, ManualLifetime>();
            builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = ShutdownTimeout);
            builder.Services.AddAwsEdge(configureAuth: auth => auth.AccessKeys = accessKeys);
            builder.Services.AddSingleton(options);
            builder.Services.AddSingleton(store);
            builder.Services.AddSingleton(new BoundApiEndpoints(listeners.EndPoints.Select(ToUri).ToArray()));
            builder.Services.AddPortolanServices(options);
            configureServices?.Invoke(builder.Services);

            var app = builder.Build();
            app.UseMiddleware<StatusPage>();
            app.UsePortolanConsole();
            app.UsePortolanMetrics();
            app.UseMiddleware<MembersEndpoint>();
            app.UseMiddleware<Api.Ecs.TaskLogsEndpoint>();
            app.UseAwsEdge();

            await app.StartAsync(cancellationToken);
            var endpoints = listeners.EndPoints.Select(ToUri).ToArray();
            var warnings = app.Services.GetService<IDnsServer>()?.StartWarning is { } dnsWarning
                ? [.. listeners.Warnings, dnsWarning]
                : listeners.Warnings;
            var host = new PortolanHost(app, store, options, endpoints, warnings);
            store = null;
            return host;
        }
        finally
        {
            // Kestrel owns every socket it claimed; this closes any it did not (a failed start).
            listeners.Dispose();
            if (store is not null) await store.DisposeAsync();
        }
    }

    /// <summary>Stops accepting requests, lets in-flight ones finish (up to 10 s), then stops.</summary>
    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        if (Interlocked.Exchange(ref _stopped, 1) == 0)
        {
            await _app.StopAsync(cancellationToken);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        await _app.DisposeAsync();
        // Last: every reader and writer of the store has stopped with the app.
        await _store.DisposeAsync();
    }

    private static void ConfigureServer(WebApplicationBuilder builder, ApiListeners listeners)
    {
        builder.WebHost.UseKestrelCore();
        builder.WebHost.UseSockets(sockets => sockets.CreateBoundListenSocket = listeners.CreateBoundSocket);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            foreach (var endpoint in listeners.EndPoints)
            {
                kestrel.Listen(endpoint);
            }
        });
    }

    private static void ConfigureDefaultLogging(ILoggingBuilder logging, LogFormat format)
    {
        // stdout carries the machine-readable start-up lines only; every log line goes to stderr.
        if (format == LogFormat.Json)
        {
            logging.AddJsonConsole(console =>
            {
                console.UseUtcTimestamp = true;
                console.TimestampFormat = "yyyy-MM-dd'T'HH:mm:ss.fff'Z'";
                // Log text is not HTML: keep '+', '<', quotes and non-ASCII readable instead of \uXXXX.
                console.JsonWriterOptions = new System.Text.Json.JsonWriterOptions
                {
                    Indented = false,
                    Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
                };
            });
        }
        else
        {
            logging.AddSimpleConsole(console =>
            {
                console.SingleLine = true;
                console.TimestampFormat = "HH:mm:ss ";
            });
        }

        logging.Services.Configure<ConsoleLoggerOptions>(console => console.LogToStandardErrorThreshold = LogLevel.Trace);
        logging.SetMinimumLevel(LogLevel.Information);
        // Per-request hosting and Kestrel logs would cost more than the requests themselves.
        logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        logging.AddFilter("Microsoft.Hosting.Lifetime", LogLevel.Warning);
    }

    private static Uri ToUri(IPEndPoint endpoint) =>
        new(endpoint.AddressFamily == AddressFamily.InterNetworkV6
            ? $"http://[{endpoint.Address}]:{endpoint.Port}/"
            : $"http://{endpoint.Address}:{endpoint.Port}/");
}
