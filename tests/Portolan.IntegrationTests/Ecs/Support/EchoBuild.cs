using Portolan.IntegrationTests.Support;

namespace Portolan.IntegrationTests.Ecs.Support;

/// <summary>examples/echo as built next to this test build (same configuration): the walkthrough's workload.</summary>
public static class EchoBuild
{
    public static string Dll
    {
        get
        {
            var configuration = new DirectoryInfo(Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory)).Parent!.Name;
            var dll = Path.Combine(SourceTree.RepositoryRoot, "examples", "echo", "bin", configuration, "net10.0", "echo.dll");
            Assert.True(File.Exists(dll), $"{dll} is built with the tests");
            return dll;
        }
    }

    /// <summary>
    /// The echo container of a task definition: HTTP/1.1 on container port 80 ("http"), gRPC on 10080 ("grpc"), both
    /// on dynamic host ports, and a container health check on /health.
    /// </summary>
    public static object Container(params (string Name, string Value)[] environment) => new
    {
        name = "api_container",
        image = "example/echo:latest",
        command = new[] { "dotnet", Dll },
        environment = environment.Select(e => new { name = e.Name, value = e.Value }).ToArray(),
        portMappings = new[]
        {
            new { containerPort = 80, hostPort = 0, name = "http" },
            new { containerPort = 10080, hostPort = 0, name = "grpc" },
        },
        healthCheck = new
        {
            command = new[] { "CMD-SHELL", "curl -fs http://127.0.0.1:$PORTOLAN_PORT_HTTP/health" },
            interval = 5, timeout = 2, retries = 3,
        },
    };
}
