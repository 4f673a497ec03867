using System.Text.Json;
using Grpc.Health.V1;
using Grpc.Net.Client;
using Portolan.IntegrationTests.Ecs.Support;
using Portolan.IntegrationTests.Support;

namespace Portolan.IntegrationTests.Ecs;

/// <summary>
/// examples/echo as an ECS service: one process per task serving HTTP/1.1 on the host port of container port 80 and
/// gRPC (grpc.health.v1) on that of 10080, found through Cloud Map (dig SRV) and reached with real clients.
/// </summary>
public sealed class EchoExampleTests(EcsServer server) : IClassFixture<EcsServer>
{
    /// <summary>The echo build next to this test build (same configuration).</summary>
    private static string EchoDll
    {
        get
        {
            var configuration = new DirectoryInfo(Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory)).Parent!.Name;
            return Path.Combine(SourceTree.RepositoryRoot, "examples", "echo", "bin", configuration, "net10.0", "echo.dll");
        }
    }

    [Fact]
    public async Task Echo_serves_HTTP_and_gRPC_on_the_ports_ECS_gave_it()
    {
        Assert.True(File.Exists(EchoDll), $"{EchoDll} is built with the tests");
        var ns = EcsServer.Unique("domaina");
        var (_, _, srvArn) = await server.SeedCloudMapServiceAsync(ns, "echoservice", ttl: 1);
        var cluster = await server.SeedClusterAsync(EcsServer.Unique("echo"));
        await server.SeedTaskDefinitionAsync(new
        {
            family = "echo", networkMode = "bridge",
            containerDefinitions = new[]
            {
                new
                {
                    name = "api_container", image = "example/echo:latest", command = new[] { "dotnet", EchoDll },
                    portMappings = new[] { new { containerPort = 80, name = "http" }, new { containerPort = 10080, name = "grpc" } },
                    healthCheck = new { command = new[] { "CMD-SHELL", "curl -fs http://127.0.0.1:$PORTOLAN_PORT_HTTP/health" }, interval = 5 },
                },
            },
        });
        await server.Ecs.OkAsync("create-service", "--cli-input-json", server.InputFile("echo.json", JsonSerializer.Serialize(new
        {
            cluster, serviceName = "echoservice", taskDefinition = "echo", desiredCount = 1,
            serviceRegistries = new[] { new { registryArn = srvArn, containerName = "api_container", containerPort = 80 } },
        })));
        await server.WaitForServiceAsync(cluster, "echoservice",
            s => s.GetProperty("events").EnumerateArray().Any(e => e.Str("message").EndsWith("has reached a steady state.", StringComparison.Ordinal)), "a steady state");

        var task = (await server.SeedAsync("DescribeTasks", new { cluster, tasks = await server.TaskArnsAsync(cluster, "echoservice") })).GetProperty("tasks")[0];
        Assert.Equal("HEALTHY", task.Str("healthStatus"));
        var ports = task.GetProperty("containers")[0].GetProperty("networkBindings").EnumerateArray()
            .ToDictionary(b => b.GetProperty("containerPort").GetInt32(), b => b.GetProperty("hostPort").GetInt32());
        var taskId = task.Str("taskArn")[(task.Str("taskArn").LastIndexOf('/') + 1)..];

        // DNS names the HTTP port (the registry's container port 80).
        var srv = Assert.Single(await DigShort.QueryAsync(server.Host.DnsUdpEndPoint!.Port, $"echoservice.{ns}", "SRV"));
        Assert.Equal($"1 1 {ports[80]} {taskId}.echoservice.{ns}.", srv);

        using var http = new HttpClient();
        var echoed = await http.GetStringAsync(new Uri($"http://127.0.0.1:{ports[80]}/hello?x=1"));
        Assert.Equal($"echo from task {taskId} (port {ports[80]}): GET /hello?x=1 \n", echoed);

        using var channel = GrpcChannel.ForAddress($"http://127.0.0.1:{ports[10080]}");
        var health = await new Grpc.Health.V1.Health.HealthClient(channel).CheckAsync(new HealthCheckRequest());
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, health.Status);

        await server.SeedAsync("DeleteService", new { cluster, service = "echoservice", force = true });
        await server.WaitForServiceAsync(cluster, "echoservice", s => s.Str("status") == "INACTIVE", "INACTIVE");
    }
}
