using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Portolan.IntegrationTests.Support;

namespace Portolan.IntegrationTests.Ecs.Support;

/// <summary>One unsigned JSON 1.1 request, as an SDK sends it (the servers under test run without --auth).</summary>
public sealed class AwsJson(Uri endpoint) : IDisposable
{
    public const string Ecs = "AmazonEC2ContainerServiceV20141113";
    public const string CloudMap = "Route53AutoNaming_v20170314";

    private readonly HttpClient _http = new();

    public Uri Endpoint { get; } = endpoint;

    public HttpClient Http => _http;

    /// <summary>Sends the request and returns the reply's JSON; throws on an error reply.</summary>
    public async Task<JsonElement> SendAsync(string prefix, string operation, object input)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, Endpoint)
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

    public Task<JsonElement> EcsAsync(string operation, object input) => SendAsync(Ecs, operation, input);

    /// <summary>Polls DescribeServices until <paramref name="done"/> holds (90 s at most).</summary>
    public async Task<JsonElement> WaitForServiceAsync(string cluster, string service, Func<JsonElement, bool> done, string what)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(90);
        while (true)
        {
            var found = (await EcsAsync("DescribeServices", new { cluster, services = new[] { service } })).GetProperty("services").EnumerateArray().FirstOrDefault();
            if (found.ValueKind == JsonValueKind.Object && done(found)) return found;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"Service {service} never got {what}: {found}");
            await Task.Delay(100);
        }
    }

    /// <summary>The service's tasks with their process ids (the first container's runtimeId), by task ARN.</summary>
    public async Task<Dictionary<string, string>> TaskPidsAsync(string cluster, string service, string desiredStatus = "RUNNING")
    {
        var arns = (await EcsAsync("ListTasks", new { cluster, serviceName = service, desiredStatus })).GetProperty("taskArns").EnumerateArray().Select(a => a.GetString()!).ToList();
        if (arns.Count == 0) return [];
        var tasks = (await EcsAsync("DescribeTasks", new { cluster, tasks = arns })).GetProperty("tasks").EnumerateArray();
        return tasks.ToDictionary(t => t.Str("taskArn"), t => t.GetProperty("containers")[0].OptStr("runtimeId") ?? "");
    }

    public void Dispose() => _http.Dispose();
}
