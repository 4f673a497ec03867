using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Portolan.Bench;

/// <summary>
/// The few Cloud Map JSON 1.1 calls the benchmarks need, unsigned (auth is off by default): POST / with
/// <c>X-Amz-Target: Route53AutoNaming_v20170314.&lt;Op&gt;</c> and a JSON body.
/// </summary>
internal sealed class CloudMapClient : IDisposable
{
    private const string TargetPrefix = "Route53AutoNaming_v20170314.";
    private static readonly MediaTypeHeaderValue AmzJson = new("application/x-amz-json-1.1");

    private readonly HttpClient _http;

    public CloudMapClient(Uri endpoint, int connections)
    {
        var handler = new SocketsHttpHandler
        {
            MaxConnectionsPerServer = connections,
            ConnectTimeout = TimeSpan.FromSeconds(2),
            UseProxy = false,
            UseCookies = false,
            AutomaticDecompression = System.Net.DecompressionMethods.None,
        };
        _http = new HttpClient(handler) { BaseAddress = endpoint, Timeout = TimeSpan.FromSeconds(60) };
    }

    /// <summary>Calls <paramref name="operation"/>; returns the status code and the parsed body (null when empty).</summary>
    public async Task<(int Status, JsonNode? Body)> TryCallAsync(string operation, JsonObject body, CancellationToken ct = default)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/");
        request.Headers.TryAddWithoutValidation("X-Amz-Target", TargetPrefix + operation);
        var content = new ByteArrayContent(Encoding.UTF8.GetBytes(body.ToJsonString()));
        content.Headers.ContentType = AmzJson;
        request.Content = content;
        using var response = await _http.SendAsync(request, ct);
        var bytes = await response.Content.ReadAsByteArrayAsync(ct);
        return ((int)response.StatusCode, bytes.Length == 0 ? null : JsonNode.Parse(bytes));
    }

    /// <summary>Calls <paramref name="operation"/> and throws with the server's answer unless it is 200.</summary>
    public async Task<JsonNode?> CallAsync(string operation, JsonObject body, CancellationToken ct = default)
    {
        var (status, reply) = await TryCallAsync(operation, body, ct);
        if (status != 200)
        {
            throw new InvalidOperationException($"{operation} answered {status}: {reply?.ToJsonString()}");
        }

        return reply;
    }

    /// <summary>The id of the HTTP namespace <paramref name="name"/>, creating it if needed.</summary>
    public async Task<string> EnsureHttpNamespaceAsync(string name)
    {
        if (await FindNamespaceAsync(name) is { } existing)
        {
            return existing;
        }

        await CallAsync("CreateHttpNamespace", new JsonObject { ["Name"] = name });
        return await FindNamespaceAsync(name) ?? throw new InvalidOperationException($"Namespace {name} was created but is not listed.");
    }

    /// <summary>The id of the private DNS namespace <paramref name="name"/>, creating it (SOA TTL <paramref name="soaTtl"/>) if needed.</summary>
    public async Task<string> EnsureDnsNamespaceAsync(string name, int soaTtl)
    {
        if (await FindNamespaceAsync(name) is { } existing)
        {
            return existing;
        }

        await CallAsync("CreatePrivateDnsNamespace", new JsonObject
        {
            ["Name"] = name,
            ["Vpc"] = "vpc-bench",
            ["Properties"] = new JsonObject { ["DnsProperties"] = new JsonObject { ["SOA"] = new JsonObject { ["TTL"] = soaTtl } } },
        });
        return await FindNamespaceAsync(name) ?? throw new InvalidOperationException($"Namespace {name} was created but is not listed.");
    }

    /// <summary>
    /// The id of service <paramref name="name"/> in namespace <paramref name="namespaceId"/>, creating it if needed
    /// (with <paramref name="dnsConfig"/> and a custom health check when asked).
    /// </summary>
    public async Task<string> EnsureServiceAsync(string namespaceId, string name, JsonObject? dnsConfig = null, bool customHealth = false)
    {
        var body = new JsonObject { ["Name"] = name, ["NamespaceId"] = namespaceId };
        if (dnsConfig is not null) body["DnsConfig"] = dnsConfig;
        if (customHealth) body["HealthCheckCustomConfig"] = new JsonObject { ["FailureThreshold"] = 1 };
        var (status, reply) = await TryCallAsync("CreateService", body);
        if (status == 200)
        {
            return (string)reply!["Service"]!["Id"]!;
        }

        // ServiceAlreadyExists carries the id of the existing service.
        if (reply?["ServiceId"] is JsonValue id)
        {
            return (string)id!;
        }

        throw new InvalidOperationException($"CreateService {name} answered {status}: {reply?.ToJsonString()}");
    }

    public Task<JsonNode?> RegisterInstanceAsync(string serviceId, string instanceId, string ipv4, CancellationToken ct = default) =>
        RegisterInstanceAsync(serviceId, instanceId, ipv4, 8080, ct);

    public Task<JsonNode?> RegisterInstanceAsync(string serviceId, string instanceId, string ipv4, int port, CancellationToken ct = default) =>
        CallAsync("RegisterInstance", new JsonObject
        {
            ["ServiceId"] = serviceId,
            ["InstanceId"] = instanceId,
            ["Attributes"] = new JsonObject { ["AWS_INSTANCE_IPV4"] = ipv4, ["AWS_INSTANCE_PORT"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture) },
        }, ct);

    public static JsonObject DiscoverBody(string namespaceName, string serviceName) =>
        new() { ["NamespaceName"] = namespaceName, ["ServiceName"] = serviceName };

    private async Task<string?> FindNamespaceAsync(string name)
    {
        string? token = null;
        do
        {
            var body = new JsonObject { ["MaxResults"] = 100 };
            if (token is not null)
            {
                body["NextToken"] = token;
            }

            var reply = await CallAsync("ListNamespaces", body);
            foreach (var ns in reply?["Namespaces"]?.AsArray() ?? [])
            {
                if ((string?)ns?["Name"] == name)
                {
                    return (string?)ns!["Id"];
                }
            }

            token = (string?)reply?["NextToken"];
        }
        while (token is not null);

        return null;
    }

    public void Dispose() => _http.Dispose();

    /// <summary>An IPv4 address derived from a number, for distinct instance attributes.</summary>
    public static string Ipv4(int n) => $"10.{(n >> 16) & 255}.{(n >> 8) & 255}.{n & 255}";

    public static bool HasInstances(JsonNode? discoverReply) =>
        discoverReply?["Instances"] is JsonArray { Count: > 0 };

}
