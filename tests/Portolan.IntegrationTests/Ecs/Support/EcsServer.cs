using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Portolan.Core.LoadBalancing;
using Portolan.Core.Snapshots;
using Portolan.Hosting;
using Portolan.IntegrationTests.Support;
using Portolan.Tasks;
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

    /// <summary>
    /// The scheduler's and runtime's options for tests: the timers that pace a real server (40 s before a task without
    /// health checks counts as healthy, 30 s stop timeout, backoff from 2 s) shortened, so tests wait for events, not
    /// for minutes. Subclasses may change more.
    /// </summary>
    protected virtual void ConfigureServices(IServiceCollection services) =>
        services.Configure<TasksOptions>(o =>
        {
            o.UnmonitoredHealthyAfter = TimeSpan.FromSeconds(1);
            o.DefaultStopTimeout = TimeSpan.FromSeconds(5);
            o.RestartBackoffInitial = TimeSpan.FromMilliseconds(500);
            o.RestartBackoffMax = TimeSpan.FromSeconds(4);
            o.StartupProbeInterval = TimeSpan.FromMilliseconds(250);
            o.SchedulerTick = TimeSpan.FromMilliseconds(250);
        });

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
        using var client = new AwsJson(Host.ApiUri);
        return await client.SendAsync(prefix, operation, input);
    }

    /// <summary>
    /// Creates an HTTP target group (ip targets, port 80) in the load balancing registry and returns its ARN (in-process:
    /// the ELBv2 API is another helper's work in progress).
    /// </summary>
    public async Task<string> CreateTargetGroupAsync(string name, bool grpc = false) =>
        (await Host.Services.GetRequiredService<LoadBalancingRegistry>().CreateTargetGroupAsync(new CreateTargetGroupCommand
        {
            Name = name, Protocol = ElbProtocol.Http, ProtocolVersion = grpc ? ProtocolVersion.Grpc : ProtocolVersion.Http1, Port = 80,
            VpcId = "vpc-1", TargetType = TargetType.Ip,
        })).Arn;

    /// <summary>The registered (not draining) targets of a target group, as <c>id:port</c>.</summary>
    public List<string> Targets(string targetGroupArn) =>
        Host.Services.GetRequiredService<ISnapshotSource>().Current.LoadBalancing.FindTargetGroup(targetGroupArn)!.Targets.Values
            .Where(t => !t.Record.IsDraining).Select(t => $"{t.Record.Id}:{t.Record.Port}").Order(StringComparer.Ordinal).ToList();

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

    /// <summary>Polls DescribeTasks until <paramref name="done"/> holds for the task (60 s at most); returns it.</summary>
    public async Task<JsonElement> WaitForTaskAsync(string cluster, string task, Func<JsonElement, bool> done, string what)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (true)
        {
            var described = await SeedAsync("DescribeTasks", new { cluster, tasks = new[] { task } });
            var found = described.GetProperty("tasks").EnumerateArray().FirstOrDefault();
            if (found.ValueKind == JsonValueKind.Object && done(found)) return found;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"Task {task} never got {what}: {found}");
            await Task.Delay(100);
        }
    }

    /// <summary>Polls DescribeServices until <paramref name="done"/> holds (90 s at most); returns the service.</summary>
    public async Task<JsonElement> WaitForServiceAsync(string cluster, string service, Func<JsonElement, bool> done, string what)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(90);
        while (true)
        {
            var found = (await SeedAsync("DescribeServices", new { cluster, services = new[] { service } })).GetProperty("services").EnumerateArray().FirstOrDefault();
            if (found.ValueKind == JsonValueKind.Object && done(found)) return found;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"Service {service} never got {what}: {found}");
            await Task.Delay(100);
        }
    }

    /// <summary>The ARNs of a service's tasks with the given desired status.</summary>
    public async Task<List<string>> TaskArnsAsync(string cluster, string service, string desiredStatus = "RUNNING") =>
        (await SeedAsync("ListTasks", new { cluster, serviceName = service, desiredStatus })).GetProperty("taskArns").EnumerateArray().Select(a => a.GetString()!).ToList();

    /// <summary>A container's log through the API (GET /portolan/ecs/tasks/ID/logs/NAME).</summary>
    public async Task<string> LogAsync(string taskArn, string container)
    {
        var id = taskArn[(taskArn.LastIndexOf('/') + 1)..];
        return await _http.GetStringAsync(new Uri(Host.ApiUri, $"portolan/ecs/tasks/{id}/logs/{container}"));
    }

    /// <summary>Writes <paramref name="json"/> to a file in the data directory and returns <c>file://PATH</c> for --cli-input-json.</summary>
    public string InputFile(string name, string json)
    {
        var path = Path.Combine(DataDir.Path, name);
        File.WriteAllText(path, json);
        return "file://" + path;
    }
}
