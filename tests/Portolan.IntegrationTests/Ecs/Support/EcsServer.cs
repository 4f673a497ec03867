using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Portolan.Hosting;
using Portolan.IntegrationTests.Support;
using Portolan.Testing;

namespace Portolan.IntegrationTests.Ecs.Support;

/// <summary>
/// One in-process Portolan server (real Kestrel and DNS on loopback, ephemeral ports, SQLite in a temp dir) shared by the
/// tests of a class. <see cref="Ecs"/> and <see cref="Sd"/> are the real aws CLI pointed at it; <see cref="SeedAsync"/>
/// sends set-up requests that are not what a test is about without paying for a CLI run.
/// </summary>
public class EcsServer : IAsyncLifetime
{
    private readonly HttpClient _http = new();
    private PortolanHost? _host;

    public TempDirectory DataDir { get; } = new("portolan-ecs");

    public PortolanHost Host => _host ?? throw new InvalidOperationException("The server is not started.");

    public EcsCli Ecs { get; private set; } = null!;

    public Sd Sd { get; private set; } = null!;

    /// <summary>Extra registrations (options of the scheduler and runtime) for subclasses.</summary>
    protected virtual void ConfigureServices(IServiceCollection services)
    {
    }

    public async Task InitializeAsync() => await StartAsync();

    /// <summary>Starts (or starts again, on the same data directory) the server.</summary>
    public async Task StartAsync()
    {
        _host = await PortolanHost.StartAsync(
            new PortolanOptions { ApiEndpoints = [new HostPort("127.0.0.1", 0)], DnsEndpoint = new HostPort("127.0.0.1", 0), DataDir = DataDir.Path },
            ConfigureServices,
            configureLogging: logging => logging.ClearProviders());
        Ecs = new EcsCli(new AwsCli(_host.ApiUri));
        Sd = new Sd(new AwsCli(_host.ApiUri));
    }

    /// <summary>Stops the server (its task processes with it).</summary>
    public async Task StopAsync()
    {
        if (_host is not null) await _host.DisposeAsync();
        _host = null;
    }

    public virtual async Task DisposeAsync()
    {
        await StopAsync();
        _http.Dispose();
        DataDir.Dispose();
    }

    /// <summary>A name no other test uses.</summary>
    public static string Unique(string prefix) => $"{prefix}-{Guid.NewGuid().ToString("N")[..8]}";

    /// <summary>One JSON 1.1 request to the ECS API, as an SDK sends it; throws on an error reply.</summary>
    public Task<JsonElement> SeedAsync(string operation, object input) => SendAsync("AmazonEC2ContainerServiceV20141113", operation, input);

    /// <summary>One JSON 1.1 request to the Cloud Map API; throws on an error reply.</summary>
    public Task<JsonElement> SeedCloudMapAsync(string operation, object input) => SendAsync("Route53AutoNaming_v20170314", operation, input);

    private async Task<JsonElement> SendAsync(string prefix, string operation, object input)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, Host.ApiUri)
        {
            Content = new StringContent(JsonSerializer.Serialize(input), Encoding.UTF8),
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/x-amz-json-1.1");
        request.Headers.Add("X-Amz-Target", $"{prefix}.{operation}");
        using var response = await _http.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"{operation}: {(int)response.StatusCode} {body}");
        return Json.Parse(body);
    }

    /// <summary>Seeds a cluster; returns its name.</summary>
    public async Task<string> SeedClusterAsync(string name)
    {
        await SeedAsync("CreateCluster", new { clusterName = name });
        return name;
    }

    /// <summary>Seeds a task definition from a JSON object; returns its ARN.</summary>
    public async Task<string> SeedTaskDefinitionAsync(object definition) =>
        (await SeedAsync("RegisterTaskDefinition", definition)).GetProperty("taskDefinition").Str("taskDefinitionArn");

    /// <summary>Seeds a private DNS namespace and a Cloud Map service with A and SRV records (TTL <paramref name="ttl"/>); returns the service ARN.</summary>
    public async Task<(string NamespaceId, string ServiceId, string ServiceArn)> SeedCloudMapServiceAsync(string namespaceName, string serviceName, int ttl = 60, bool customHealth = false)
    {
        var created = await SeedCloudMapAsync("CreatePrivateDnsNamespace", new { Name = namespaceName, Vpc = "vpc-1" });
        var op = await SeedCloudMapAsync("GetOperation", new { OperationId = created.Str("OperationId") });
        var nsId = op.GetProperty("Operation").GetProperty("Targets").Str("NAMESPACE");
        object service = customHealth
            ? new { Name = serviceName, DnsConfig = new { NamespaceId = nsId, RoutingPolicy = "MULTIVALUE", DnsRecords = new[] { new { Type = "A", TTL = ttl }, new { Type = "SRV", TTL = ttl } } }, HealthCheckCustomConfig = new { FailureThreshold = 1 } }
            : new { Name = serviceName, DnsConfig = new { NamespaceId = nsId, RoutingPolicy = "MULTIVALUE", DnsRecords = new[] { new { Type = "A", TTL = ttl }, new { Type = "SRV", TTL = ttl } } } };
        var svc = (await SeedCloudMapAsync("CreateService", service)).GetProperty("Service");
        return (nsId, svc.Str("Id"), svc.Str("Arn"));
    }

    /// <summary>Writes <paramref name="json"/> to a file in the data directory and returns <c>file://PATH</c> for --cli-input-json.</summary>
    public string InputFile(string name, string json)
    {
        var path = Path.Combine(DataDir.Path, name);
        File.WriteAllText(path, json);
        return "file://" + path;
    }
}
