using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using System.Xml.Linq;

namespace Portolan.Bench.Ecs;

/// <summary>
/// The ECS and Cloud Map JSON 1.1 calls and ELBv2 Query calls the benchmark needs, unsigned (the server runs without
/// --auth), as an SDK sends them.
/// </summary>
internal sealed class Apis(Uri endpoint) : IDisposable
{
    private const string Ecs = "AmazonEC2ContainerServiceV20141113.";
    private const string CloudMap = "Route53AutoNaming_v20170314.";
    private static readonly XNamespace ElbNs = "http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/";
    private static readonly MediaTypeHeaderValue AmzJson = new("application/x-amz-json-1.1");

    private readonly HttpClient _http = new(new SocketsHttpHandler { UseProxy = false, MaxConnectionsPerServer = 4 }) { Timeout = TimeSpan.FromSeconds(60) };

    public Task<JsonNode> EcsAsync(string operation, JsonObject body) => JsonAsync(Ecs + operation, body);

    public Task<JsonNode> CloudMapAsync(string operation, JsonObject body) => JsonAsync(CloudMap + operation, body);

    private async Task<JsonNode> JsonAsync(string target, JsonObject body)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, endpoint) { Content = new StringContent(body.ToJsonString(), Encoding.UTF8) };
        request.Content.Headers.ContentType = AmzJson;
        request.Headers.TryAddWithoutValidation("X-Amz-Target", target);
        using var response = await _http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"{target}: {(int)response.StatusCode} {text}");
        return JsonNode.Parse(text)!;
    }

    /// <summary>One ELBv2 Query action; returns its <c>&lt;ActionResult&gt;</c>.</summary>
    public async Task<XElement> ElbAsync(string action, params (string Key, string Value)[] parameters)
    {
        var form = new List<KeyValuePair<string, string>> { new("Action", action), new("Version", "2015-12-01") };
        form.AddRange(parameters.Select(p => KeyValuePair.Create(p.Key, p.Value)));
        using var response = await _http.PostAsync(endpoint, new FormUrlEncodedContent(form));
        var body = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"{action}: {(int)response.StatusCode} {body}");
        return XDocument.Parse(body).Root!.Element(ElbNs + action + "Result")!;
    }

    public static string Value(XElement result, string name) => result.Descendants(ElbNs + name).First().Value;

    /// <summary>The ports of a target group's healthy targets.</summary>
    public async Task<HashSet<int>> HealthyPortsAsync(string targetGroupArn) =>
        (await ElbAsync("DescribeTargetHealth", ("TargetGroupArn", targetGroupArn))).Descendants(ElbNs + "member")
            .Where(m => m.Element(ElbNs + "TargetHealth")?.Element(ElbNs + "State")?.Value == "healthy")
            .Select(m => int.Parse(m.Element(ElbNs + "Target")!.Element(ElbNs + "Port")!.Value, CultureInfo.InvariantCulture))
            .ToHashSet();

    public void Dispose() => _http.Dispose();
}
