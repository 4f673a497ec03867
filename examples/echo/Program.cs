using System.Globalization;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Portolan.Examples.Echo;

// `echo call URL [MESSAGE]`: one gRPC call (cleartext HTTP/2) to Echo/Echo at URL, the reply printed as JSON; for
// trying a load balancer's gRPC listener without grpcurl.
if (args is ["call", var address, ..])
{
    using var channel = GrpcChannel.ForAddress(address);
    var reply = await new Echo.EchoClient(channel).EchoAsync(new EchoRequest { Message = args.Length > 2 ? args[2] : "hello" });
    Console.WriteLine(reply);
    return 0;
}

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
// gRPC only on the gRPC port, plain HTTP only on the other. Told by the port the connection came in on, not by the
// Host header: behind a load balancer that names the listener, not this process.
app.Use(async (context, next) =>
{
    var grpc = context.Request.ContentType?.StartsWith("application/grpc", StringComparison.Ordinal) == true;
    if (grpc == (context.Connection.LocalPort == grpcPort)) await next(context);
    else context.Response.StatusCode = StatusCodes.Status404NotFound;
});
app.MapGrpcService<EchoService>();
app.MapGrpcHealthChecksService();
app.MapGet("/health", () => "ok\n");
app.Map("/{**path}", async (HttpContext context) =>
{
    var request = context.Request;
    using var reader = new StreamReader(request.Body);
    var body = await reader.ReadToEndAsync();
    return Results.Text($"echo from task {task} (port {httpPort}): {request.Method} {request.Path}{request.QueryString} {body}\n");
});

Console.WriteLine($"echo: task {task}, HTTP/1.1 on {httpPort}, gRPC on {grpcPort}");
app.Run();
return 0;

static int? Port(params string[] names)
{
    foreach (var name in names)
    {
        if (int.TryParse(Environment.GetEnvironmentVariable(name), NumberStyles.None, CultureInfo.InvariantCulture, out var port)) return port;
    }
    return null;
}
