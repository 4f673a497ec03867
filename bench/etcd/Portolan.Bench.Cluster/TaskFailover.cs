using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;

namespace Portolan.Bench;

/// <summary>
/// The task failover measurement of bench/etcd/run.sh, over the ECS JSON 1.1 API (unsigned: auth is off by default):
/// <c>tasks-setup</c> starts a service whose tasks are <c>sleep</c> processes and waits until they all run;
/// <c>tasks-failover</c>, started right after the script kills a node, polls every 50 ms until that node's tasks are
/// STOPPED and the service runs its count again on the other nodes, and prints when (Unix ms) each happened.
/// </summary>
internal static class TaskFailover
{
    private const string TargetPrefix = "AmazonEC2ContainerServiceV20141113.";
    private static readonly MediaTypeHeaderValue AmzJson = new("application/x-amz-json-1.1");
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(50);
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    public static async Task<int> SetupAsync(Uri url, string cluster, int count)
    {
        using var http = new HttpClient { BaseAddress = url, Timeout = TimeSpan.FromSeconds(30) };
        await CallAsync(http, "CreateCluster", new JsonObject { ["clusterName"] = cluster });
        await CallAsync(http, "RegisterTaskDefinition", new JsonObject
        {
            ["family"] = "bench-sleep",
            ["containerDefinitions"] = new JsonArray(new JsonObject
            {
                ["name"] = "app", ["image"] = "busybox", ["essential"] = true, ["command"] = new JsonArray("sleep", "3600"),
            }),
        });
        await CallAsync(http, "CreateService", new JsonObject
        {
            ["cluster"] = cluster, ["serviceName"] = "web", ["taskDefinition"] = "bench-sleep", ["desiredCount"] = count,
        });
        var until = DateTime.UtcNow + Deadline;
        while (DateTime.UtcNow < until)
        {
            var running = (await TasksAsync(http, cluster)).Where(t => t.LastStatus == "RUNNING").ToList();
            if (running.Count == count)
            {
                var spread = running.GroupBy(t => t.Instance).Select(g => $"{g.Key}:{g.Count()}");
                Console.Out.WriteLine($"placed={string.Join(',', spread)}");
                return 0;
            }

            await Task.Delay(Poll);
        }

        Console.Error.WriteLine($"{count} tasks did not start within {Deadline.TotalSeconds} s");
        return 1;
    }

    public static async Task<int> FailoverAsync(Uri url, string cluster, string lostInstance, int count)
    {
        using var http = new HttpClient { BaseAddress = url, Timeout = TimeSpan.FromSeconds(5) };
        long? stoppedAt = null;
        var pids = new HashSet<string>(StringComparer.Ordinal);
        var until = DateTime.UtcNow + Deadline;
        while (DateTime.UtcNow < until)
        {
            List<EcsTask> tasks;
            try
            {
                tasks = await TasksAsync(http, cluster);
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException or InvalidOperationException)
            {
                await Task.Delay(Poll);
                continue;
            }

            var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
            pids.UnionWith(tasks.SelectMany(t => t.Pids));
            var lost = tasks.Where(t => t.Instance == lostInstance).ToList();
            if (stoppedAt is null && lost.Count > 0 && lost.All(t => t.LastStatus == "STOPPED")) stoppedAt = now;
            var running = tasks.Where(t => t.LastStatus == "RUNNING" && t.DesiredStatus == "RUNNING").ToList();
            if (stoppedAt is not null && running.Count == count && running.All(t => t.Instance != lostInstance))
            {
                Console.Out.WriteLine($"stopped_unix_ms={stoppedAt}");
                Console.Out.WriteLine($"running_unix_ms={now}");
                Console.Out.WriteLine($"pids={string.Join(' ', pids)}");
                return 0;
            }

            await Task.Delay(Poll);
        }

        Console.Out.WriteLine($"pids={string.Join(' ', pids)}");
        Console.Error.WriteLine($"the tasks of {lostInstance} were not replaced within {Deadline.TotalSeconds} s");
        return 1;
    }

    private sealed record EcsTask(string Instance, string LastStatus, string DesiredStatus, List<string> Pids);

    private static async Task<List<EcsTask>> TasksAsync(HttpClient http, string cluster)
    {
        var arns = new JsonArray();
        foreach (var status in new[] { "RUNNING", "STOPPED" })
        {
            var list = await CallAsync(http, "ListTasks", new JsonObject { ["cluster"] = cluster, ["desiredStatus"] = status });
            foreach (var arn in list["taskArns"]!.AsArray()) arns.Add((string)arn!);
        }

        if (arns.Count == 0) return [];
        var described = await CallAsync(http, "DescribeTasks", new JsonObject { ["cluster"] = cluster, ["tasks"] = arns });
        return described["tasks"]!.AsArray().Select(t =>
        {
            var instanceArn = (string)t!["containerInstanceArn"]!;
            var pids = t["containers"]!.AsArray().Select(c => (string?)c!["runtimeId"]).OfType<string>().ToList();
            return new EcsTask(instanceArn[(instanceArn.LastIndexOf('/') + 1)..], (string)t["lastStatus"]!, (string)t["desiredStatus"]!, pids);
        }).ToList();
    }

    private static async Task<JsonNode> CallAsync(HttpClient http, string operation, JsonObject body)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/");
        request.Headers.TryAddWithoutValidation("X-Amz-Target", TargetPrefix + operation);
        request.Content = new ByteArrayContent(Encoding.UTF8.GetBytes(body.ToJsonString()));
        request.Content.Headers.ContentType = AmzJson;
        using var response = await http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"{operation} answered {(int)response.StatusCode}: {text}");
        return JsonNode.Parse(text)!;
    }
}
