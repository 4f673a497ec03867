using System.Net;
using Grpc.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Portolan.Proxy;
using Portolan.Proxy.Configuration;

// portolan-proxy-bench proxy LISTEN_PORT:TARGET_PORT:VERSION ...   (VERSION = HTTP1 | HTTP2 | GRPC)
//   one HTTP listener on 127.0.0.1:LISTEN_PORT per argument, default action forward to 127.0.0.1:TARGET_PORT
// portolan-proxy-bench grpc-backend PORT
//   a gRPC echo server (h2c) on 127.0.0.1:PORT
// Both print "ready" once serving and run until SIGTERM/SIGINT.
var mode = args.Length > 0 ? args[0] : "";
if (mode == "proxy") await RunProxyAsync(args[1..]);
else if (mode == "grpc-backend") await RunGrpcBackendAsync(int.Parse(args[1]));
else
{
    Console.Error.WriteLine("usage: portolan-proxy-bench proxy PORT:TARGET_PORT:HTTP1|HTTP2|GRPC ... | grpc-backend PORT");
    return 2;
}
return 0;

static async Task RunProxyAsync(string[] specs)
{
    var groups = new List<TargetGroupConfig>();
    var listeners = new List<ListenerConfig>();
    foreach (var spec in specs)
    {
        var parts = spec.Split(':');
        var id = $"l{parts[0]}";
        groups.Add(new TargetGroupConfig
        {
            Id = $"tg{parts[0]}",
            ProtocolVersion = Enum.Parse<TargetProtocolVersion>(parts[2], ignoreCase: true),
            Targets = [new TargetConfig { Host = "127.0.0.1", Port = int.Parse(parts[1]) }],
        });
        listeners.Add(new ListenerConfig { Id = id, Port = int.Parse(parts[0]), DefaultAction = ForwardAction.To($"tg{parts[0]}") });
    }

    var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
    builder.Logging.AddSimpleConsole().SetMinimumLevel(LogLevel.Warning);
    builder.Services.AddSingleton<IProxyConfigSource>(new InMemoryProxyConfigSource(new ProxyConfig { Listeners = [.. listeners], TargetGroups = [.. groups] }));
    builder.Services.AddPortolanProxy(o =>
    {
        o.AccessLogPath = Environment.GetEnvironmentVariable("ACCESS_LOG");
        o.InlineScheduling = Environment.GetEnvironmentVariable("PORTOLAN_INLINE") != "0";
    });
    using var host = builder.Build();
    await host.StartAsync();
    var running = host.Services.GetRequiredService<IProxyListeners>();
    foreach (var l in listeners)
    {
        if (running.FindEndPoint(l.Id) is null) throw new InvalidOperationException($"listener on {l.Port} did not start");
    }
    Console.WriteLine("ready");
    await host.WaitForShutdownAsync();
}

static async Task RunGrpcBackendAsync(int port)
{
    var builder = WebApplication.CreateSlimBuilder();
    builder.Logging.ClearProviders();
    builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, port, o => o.Protocols = HttpProtocols.Http2));
    builder.Services.AddGrpc();
    var app = builder.Build();
    app.MapGrpcService<EchoService>();
    await app.StartAsync();
    Console.WriteLine("ready");
    await app.WaitForShutdownAsync();
}

internal sealed class EchoService : Portolan.ProxyBench.Echo.EchoBase
{
    public override Task<Portolan.ProxyBench.Message> Unary(Portolan.ProxyBench.Message request, ServerCallContext context) => Task.FromResult(request);
}
