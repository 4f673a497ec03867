using System.Globalization;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Portolan.Examples.Echo;

// Ports from the task's environment (docs/ecs.md): the host port of the container port named "http" (or 80, or $PORT),
// and of "grpc" (or 10080). Outside Portolan it listens on 8080 and 10080.
var httpPort = Port("PORTOLAN_PORT_HTTP", "PORTOLAN_PORT_80", "PORT") ?? 8080;
var grpcPort = Port("PORTOLAN_PORT_GRPC", "PORTOLAN_PORT_10080") ?? 10080;
var task = Environment.GetEnvironmentVariable("PORTOLAN_TASK_ARN") is { } arn ? arn[(arn.LastIndexOf('/') + 1)..] : Environment.MachineName;

var builder = WebApplication.CreateSlimBuilder(args);
builder.WebHost.ConfigureKestrel(kestrel =>
{
    // HTTP/1.1 on one port; cleartext HTTP/2 (h2c, what gRPC without TLS needs) on the other.
    kestrel.ListenAnyIP(httpPort, listen => listen.Protocols = HttpProtocols.Http1);
    kestrel.ListenAnyIP(grpcPort, listen => listen.Protocols = HttpProtocols.Http2);
});
builder.Services.AddGrpc();
builder.Services.AddGrpcHealthChecks().AddCheck("echo", () => Microsoft.Extensions.Diagnostics.HealthChecks.HealthCheckResult.Healthy());
builder.Services.AddSingleton(new EchoIdentity(task, grpcPort));

var app = builder.Build();
app.MapGrpcService<EchoService>().RequireHost($"*:{grpcPort}");
app.MapGrpcHealthChecksService().RequireHost($"*:{grpcPort}");
app.MapGet("/health", () => "ok\n").RequireHost($"*:{httpPort}");
app.Map("/{**path}", async (HttpContext context) =>
{
    var request = context.Request;
    using var reader = new StreamReader(request.Body);
    var body = await reader.ReadToEndAsync();
    return Results.Text($"echo from task {task} (port {httpPort}): {request.Method} {request.Path}{request.QueryString} {body}\n");
}).RequireHost($"*:{httpPort}");

Console.WriteLine($"echo: task {task}, HTTP/1.1 on {httpPort}, gRPC on {grpcPort}");
app.Run();

static int? Port(params string[] names)
{
    foreach (var name in names)
    {
        if (int.TryParse(Environment.GetEnvironmentVariable(name), NumberStyles.None, CultureInfo.InvariantCulture, out var port)) return port;
    }
    return null;
}
