using System.Collections.Concurrent;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Portolan.Hosting;
using Portolan.Testing;

namespace Portolan.IntegrationTests.Support;

/// <summary>
/// One in-process Portolan server (real Kestrel on 127.0.0.1 and [::1], ephemeral port, SQLite in a temp dir) shared
/// by the tests of a class (<c>IClassFixture&lt;CloudMapServer&gt;</c>). Tests stay independent by using unique names.
/// Gives the three ways the real CLI reaches it:
/// <see cref="Sd"/> (<c>--endpoint-url http://127.0.0.1:PORT</c>), <see cref="Data"/> (<c>http://portolan.localhost:PORT</c>,
/// the documented recipe for DiscoverInstances' <c>data-</c> host prefix) and <see cref="Proxied"/> (the HTTP_PROXY recipe).
/// </summary>
public sealed class CloudMapServer : IAsyncLifetime
{
    private readonly TempDirectory _dataDir = new("portolan-it");
    private readonly ConcurrentDictionary<string, object> _shared = new();
    private readonly HttpClient _http = new();
    private PortolanHost? _host;

    public PortolanHost Host => _host ?? throw new InvalidOperationException("The server is not started.");

    public int Port => Host.ApiUri.Port;

    /// <summary>The CLI with <c>--endpoint-url http://127.0.0.1:PORT</c>: every operation but DiscoverInstances.</summary>
    public Sd Sd { get; private set; } = null!;

    /// <summary>The CLI with <c>--endpoint-url http://portolan.localhost:PORT</c>: every operation, DiscoverInstances included.</summary>
    public Sd Data { get; private set; } = null!;

    /// <summary>The CLI with <c>HTTP_PROXY=http://127.0.0.1:PORT</c> and <c>--endpoint-url http://127.0.0.1:PORT</c>.</summary>
    public Sd Proxied { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        _host = await PortolanHost.StartAsync(
            new PortolanOptions { ApiEndpoints = [new HostPort("127.0.0.1", 0)], DataDir = _dataDir.Path },
            configureServices: null,
            configureLogging: logging => logging.ClearProviders());
        if (!Socket.OSSupportsIPv6 || !_host.ApiEndpoints.Any(e => e.Host == "[::1]"))
        {
            throw new InvalidOperationException("The portolan.localhost recipe needs the API on [::1] too (libnss-myhostname resolves it IPv6 first).");
        }

        Sd = new Sd(new AwsCli(_host.ApiUri));
        Data = new Sd(new AwsCli(LocalhostEndpoint(Port)));
        Proxied = new Sd(new AwsCli(_host.ApiUri)
        {
            Environment = new Dictionary<string, string> { ["HTTP_PROXY"] = $"http://127.0.0.1:{Port}" },
        });
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        if (_host is not null) await _host.DisposeAsync();
        _dataDir.Dispose();
    }

    /// <summary><c>http://portolan.localhost:PORT</c>: the CLI sends DiscoverInstances to <c>data-portolan.localhost</c>, which resolves to loopback too.</summary>
    public static Uri LocalhostEndpoint(int port) => new($"http://portolan.localhost:{port}");

    /// <summary>A name no other test uses: <paramref name="prefix"/>, a dash and 8 random lowercase hex digits (a valid DNS label).</summary>
    public static string Unique(string prefix) => $"{prefix}-{Guid.NewGuid().ToString("N")[..8]}";

    /// <summary>
    /// A value created once per class and shared by its tests (e.g. a namespace the tests add their own services to).
    /// </summary>
    public Task<T> SharedAsync<T>(string key, Func<Task<T>> create) =>
        ((Lazy<Task<T>>)_shared.GetOrAdd(key, _ => new Lazy<Task<T>>(create))).Value;

    /// <summary>
    /// Seeds state without the CLI: one JSON 1.1 request, as an SDK sends it (unsigned; the server runs without
    /// <c>--auth</c>). For bulk set-up that is not what a test is about, because every CLI run costs about half a second
    /// of CPU; what a test asserts always goes through the CLI. Throws on an error reply.
    /// </summary>
    public async Task<JsonElement> SeedAsync(string operation, object input)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, Host.ApiUri)
        {
            Content = new StringContent(JsonSerializer.Serialize(input), Encoding.UTF8),
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/x-amz-json-1.1");
        request.Headers.Add("X-Amz-Target", $"Route53AutoNaming_v20170314.{operation}");
        using var response = await _http.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"{operation}: {(int)response.StatusCode} {body}");
        return Json.Parse(body);
    }

    /// <summary>Seeds an HTTP namespace (no CLI); returns its id.</summary>
    public Task<string> SeedHttpNamespaceAsync(string name) => SeedNamespaceAsync("CreateHttpNamespace", new { Name = name });

    /// <summary>Seeds a private DNS namespace (no CLI); returns its id.</summary>
    public Task<string> SeedPrivateNamespaceAsync(string name) => SeedNamespaceAsync("CreatePrivateDnsNamespace", new { Name = name, Vpc = "vpc-1" });

    /// <summary>Seeds a namespace with a Create*Namespace operation (no CLI); returns its id.</summary>
    public async Task<string> SeedNamespaceAsync(string operation, object input)
    {
        var created = await SeedAsync(operation, input);
        var op = await SeedAsync("GetOperation", new { OperationId = created.Str("OperationId") });
        return op.GetProperty("Operation").GetProperty("Targets").Str("NAMESPACE");
    }

    /// <summary>Seeds a service with A + SRV records (MULTIVALUE, TTL 60) and custom health (no CLI); returns its id.</summary>
    public async Task<string> SeedDnsServiceAsync(string namespaceId, string name)
    {
        var created = await SeedAsync("CreateService", new
        {
            Name = name,
            DnsConfig = new
            {
                NamespaceId = namespaceId,
                RoutingPolicy = "MULTIVALUE",
                DnsRecords = new[] { new { Type = "A", TTL = 60 }, new { Type = "SRV", TTL = 60 } },
            },
            HealthCheckCustomConfig = new { FailureThreshold = 1 },
        });
        return created.GetProperty("Service").Str("Id");
    }

    /// <summary>Seeds a service without DNS records (no CLI), with custom health if asked; returns its id.</summary>
    public async Task<string> SeedServiceAsync(string namespaceId, string name, bool customHealth = false)
    {
        var created = customHealth
            ? await SeedAsync("CreateService", new { Name = name, NamespaceId = namespaceId, HealthCheckCustomConfig = new { FailureThreshold = 1 } })
            : await SeedAsync("CreateService", new { Name = name, NamespaceId = namespaceId });
        return created.GetProperty("Service").Str("Id");
    }

    /// <summary>Seeds an instance (no CLI); <paramref name="attributes"/> as <c>k=v,k=v</c>. Returns the operation id.</summary>
    public async Task<string> SeedInstanceAsync(string serviceId, string instanceId, string attributes)
    {
        var map = attributes.Split(',').Select(kv => kv.Split('=', 2)).ToDictionary(kv => kv[0], kv => kv[1]);
        var created = await SeedAsync("RegisterInstance", new { ServiceId = serviceId, InstanceId = instanceId, Attributes = map });
        return created.Str("OperationId");
    }

    /// <summary>Creates an HTTP namespace and returns its id (read from the CREATE_NAMESPACE operation's target).</summary>
    public Task<string> CreateHttpNamespaceAsync(string name, params string[] extra) =>
        CreateNamespaceAsync(["create-http-namespace", "--name", name, .. extra]);

    /// <summary>Creates a private DNS namespace (VPC vpc-1) and returns its id.</summary>
    public Task<string> CreatePrivateNamespaceAsync(string name, params string[] extra) =>
        CreateNamespaceAsync(["create-private-dns-namespace", "--name", name, "--vpc", "vpc-1", .. extra]);

    /// <summary>Runs a create-*-namespace command and returns the new namespace's id.</summary>
    public async Task<string> CreateNamespaceAsync(string[] createCommand)
    {
        var created = await Sd.OkAsync(createCommand);
        var op = await Sd.OkAsync("get-operation", "--operation-id", created.Str("OperationId"));
        return op.GetProperty("Operation").GetProperty("Targets").Str("NAMESPACE");
    }

    /// <summary>Creates a service and returns it (the <c>Service</c> member of the output).</summary>
    public async Task<JsonElement> CreateServiceAsync(string name, params string[] extra) =>
        (await Sd.OkAsync(["create-service", "--name", name, .. extra])).GetProperty("Service");

    /// <summary>Registers an instance (<c>--attributes</c> in the CLI's shorthand, e.g. <c>color=blue,az=a</c>); returns the operation id.</summary>
    public async Task<string> RegisterAsync(string serviceId, string instanceId, string attributes, params string[] extra) =>
        (await Sd.OkAsync(["register-instance", "--service-id", serviceId, "--instance-id", instanceId, "--attributes", attributes, .. extra])).Str("OperationId");
}
