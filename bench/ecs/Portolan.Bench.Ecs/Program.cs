using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using DnsClient;
using Grpc.Net.Client;
using Portolan.Examples.Echo;

namespace Portolan.Bench.Ecs;

/// <summary>
/// portolan-bench-ecs: the ECS measurements of bench/ecs/run.sh against one `portolan serve` on 127.0.0.1. Each command
/// builds the seed stack (a Cloud Map service with A + SRV records, an HTTP/1.1 and a gRPC target group, a load balancer
/// with a listener for each, a cluster and an examples/echo task definition) and then measures one thing; every wait
/// has a deadline and the load is bounded.
/// </summary>
internal static class Program
{
    private const string Usage = """
        usage:
          portolan-bench-ecs converge --url URL --dns PORT --echo ECHO.DLL --tasks N [--name NAME]
              CreateService with N tasks; prints the time until all N are RUNNING and until all N are healthy in both
              target groups and answered by DNS (SRV records at their host ports; at most 8 in a MULTIVALUE answer).
          portolan-bench-ecs rolling --url URL --dns PORT --echo ECHO.DLL --tasks N [--concurrency 4] [--name NAME]
              N tasks converged, then clients call both listeners (HTTP/1.1 and gRPC, C calls in flight each) while
              UpdateService rolls every task to a new revision; prints the requests sent and failed and the time until
              the new tasks serve and every old one is STOPPED.
        Settings (as the tests use them): target-group checks every 5 s, 2 to be healthy, deregistration delay 10 s;
        Cloud Map TTL 5 s;
        container health check on /health (interval 5 s, probed every second until it first passes).
        """;

    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(50);
    private static readonly TimeSpan Deadline = TimeSpan.FromMinutes(10);

    public static async Task<int> Main(string[] args)
    {
        if (args.Length == 0 || args[0] is not ("converge" or "rolling"))
        {
            Console.Error.WriteLine(Usage);
            return 2;
        }
        var o = Parse(args.AsSpan(1));
        using var api = new Apis(new Uri(o["url"]));
        var tasks = int.Parse(o["tasks"], CultureInfo.InvariantCulture);
        var dns = new LookupClient(new LookupClientOptions(new NameServer(IPAddress.Loopback, int.Parse(o["dns"], CultureInfo.InvariantCulture)))
        {
            UseCache = false, Timeout = TimeSpan.FromSeconds(2), Retries = 1,
        });
        var stack = await Stack.CreateAsync(api, o.GetValueOrDefault("name") ?? "bench", o["echo"]);
        if (args[0] == "converge")
        {
            var clock = Stopwatch.StartNew();
            await stack.CreateServiceAsync(tasks);
            var running = await UntilAsync(async () => (await stack.TasksAsync()).Count(t => t.Running) == tasks, "all tasks RUNNING");
            await UntilAsync(() => stack.ConvergedAsync(dns, tasks, stack.TaskDefinitionArn), "all tasks healthy in DNS and both target groups");
            Console.WriteLine($"tasks={tasks} running_ms={running.TotalMilliseconds:F0} healthy_dns_lb_ms={clock.Elapsed.TotalMilliseconds:F0}");
            return 0;
        }

        var concurrency = int.Parse(o.GetValueOrDefault("concurrency") ?? "4", CultureInfo.InvariantCulture);
        await stack.CreateServiceAsync(tasks);
        await UntilAsync(() => stack.ConvergedAsync(dns, tasks, stack.TaskDefinitionArn), "the first revision converged");
        var before = (await stack.TasksAsync()).Select(t => t.Arn).ToList();
        var next = await stack.RegisterAsync("2");
        using var stop = new CancellationTokenSource(Deadline);
        var load = new Load();
        var clients = Enumerable.Range(0, concurrency).SelectMany(_ => new[] { load.HttpAsync(stack.HttpListener, stop.Token), load.GrpcAsync(stack.GrpcListener, stop.Token) }).ToList();
        await UntilAsync(() => Task.FromResult(load.Http > 0 && load.Grpc > 0), "load flowing");
        var clock2 = Stopwatch.StartNew();
        await api.EcsAsync("UpdateService", new JsonObject { ["cluster"] = stack.Cluster, ["service"] = "echo", ["taskDefinition"] = next });
        await UntilAsync(() => stack.ConvergedAsync(dns, tasks, next), "the new revision converged");
        var served = clock2.Elapsed;
        await UntilAsync(async () => (await stack.DescribeAsync(before)).All(t => t.Status == "STOPPED"), "every old task STOPPED");
        var rollout = clock2.Elapsed;
        await stop.CancelAsync();
        await Task.WhenAll(clients);
        Console.WriteLine($"tasks={tasks} concurrency={concurrency} new_serving_ms={served.TotalMilliseconds:F0} old_stopped_ms={rollout.TotalMilliseconds:F0} " +
                          $"http_requests={load.Http} http_failed={load.HttpFailed} grpc_requests={load.Grpc} grpc_failed={load.GrpcFailed}");
        foreach (var failure in load.Failures.Take(10)) Console.WriteLine($"failure: {failure}");
        return load.HttpFailed + load.GrpcFailed == 0 ? 0 : 1;
    }

    /// <summary>Polls <paramref name="done"/> every 50 ms; returns the time it took, or throws at the deadline.</summary>
    private static async Task<TimeSpan> UntilAsync(Func<Task<bool>> done, string what)
    {
        var clock = Stopwatch.StartNew();
        while (!await done())
        {
            if (clock.Elapsed > Deadline) throw new TimeoutException($"never: {what}");
            await Task.Delay(Poll);
        }
        return clock.Elapsed;
    }

    private static Dictionary<string, string> Parse(ReadOnlySpan<string> args)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i + 1 < args.Length; i += 2) result[args[i].TrimStart('-')] = args[i + 1];
        return result;
    }
}

/// <summary>The clients of the rolling update: calls back to back, each answer checked; counters are shared.</summary>
internal sealed class Load
{
    private long _http, _grpc, _httpFailed, _grpcFailed;

    public long Http => Interlocked.Read(ref _http);
    public long Grpc => Interlocked.Read(ref _grpc);
    public long HttpFailed => Interlocked.Read(ref _httpFailed);
    public long GrpcFailed => Interlocked.Read(ref _grpcFailed);
    public System.Collections.Concurrent.ConcurrentQueue<string> Failures { get; } = new();

    public async Task HttpAsync(int port, CancellationToken stop)
    {
        using var client = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { Timeout = TimeSpan.FromSeconds(30) };
        var url = new Uri($"http://127.0.0.1:{port}/bench");
        while (!stop.IsCancellationRequested)
        {
            try
            {
                using var response = await client.GetAsync(url, CancellationToken.None);
                var body = await response.Content.ReadAsStringAsync(CancellationToken.None);
                if (!response.IsSuccessStatusCode || !body.StartsWith("echo from task ", StringComparison.Ordinal)) Fail(ref _httpFailed, $"http {(int)response.StatusCode} {body.Trim()}");
            }
            catch (Exception e) when (e is HttpRequestException or IOException or TaskCanceledException)
            {
                Fail(ref _httpFailed, $"http {e.Message}");
            }
            Interlocked.Increment(ref _http);
        }
    }

    public async Task GrpcAsync(int port, CancellationToken stop)
    {
        using var channel = GrpcChannel.ForAddress($"http://127.0.0.1:{port}");
        var client = new Echo.EchoClient(channel);
        while (!stop.IsCancellationRequested)
        {
            try
            {
                var reply = await client.EchoAsync(new EchoRequest { Message = "bench" }, deadline: DateTime.UtcNow.AddSeconds(30), cancellationToken: CancellationToken.None);
                if (reply.Message != "bench") Fail(ref _grpcFailed, $"grpc wrong reply {reply}");
            }
            catch (Grpc.Core.RpcException e)
            {
                Fail(ref _grpcFailed, $"grpc {e.StatusCode}: {e.Status.Detail}");
            }
            Interlocked.Increment(ref _grpc);
        }
    }

    private void Fail(ref long counter, string what)
    {
        Interlocked.Increment(ref counter);
        if (Failures.Count < 100) Failures.Enqueue(what);
    }
}
