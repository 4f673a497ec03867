using System.Globalization;
using System.Net.Sockets;
using System.Text.Json;
using Grpc.Net.Client;
using Xunit.Abstractions;
using Portolan.Examples.Echo;
using Portolan.IntegrationTests.Ecs.Support;
using Portolan.IntegrationTests.Support;
using Portolan.Testing;

namespace Portolan.IntegrationTests.Ecs;

/// <summary>
/// A rolling update of the seed service under load: clients call both listeners back to back (HTTP/1.1 through one, gRPC
/// over h2c through the other) while <c>update-service --task-definition</c> replaces every task, and not one request
/// fails. That takes both halves of the deployment: a new task gets traffic only once it is healthy, and an old one is
/// taken out of the target groups and DNS, drained, and only then stopped.
/// </summary>
public sealed class RollingUpdateTests(EcsProcessServer server, ITestOutputHelper output) : IClassFixture<EcsProcessServer>
{
    private const string Cluster = "rolling", Service = "echoservice", Family = "echo-rolling";

    /// <summary>Upper bound of each client's loop; it normally stops long before, when the rollout is over.</summary>
    private const int MaxRequests = 200_000;

    [Fact]
    public async Task A_rolling_update_under_load_fails_no_request()
    {
        var (httpPort, grpcPort) = (FreePorts.Next(), FreePorts.Next());
        var registryArn = await CloudMapServiceAsync("rolling.domaina", "echoservice");
        var httpGroup = await TargetGroupAsync("rolling-http", "HTTP1", "/health", null);
        var grpcGroup = await TargetGroupAsync("rolling-grpc", "GRPC", "/grpc.health.v1.Health/Check", "0");
        var lb = EcsProcessServer.Value(await server.ElbAsync("CreateLoadBalancer", ("Name", "rolling-alb"), ("Subnets.member.1", "subnet-1"), ("Subnets.member.2", "subnet-2")), "LoadBalancerArn");
        foreach (var (port, group) in new[] { (httpPort, httpGroup), (grpcPort, grpcGroup) })
        {
            await server.ElbAsync("CreateListener", ("LoadBalancerArn", lb), ("Protocol", "HTTP"), ("Port", Str(port)),
                ("DefaultActions.member.1.Type", "forward"), ("DefaultActions.member.1.TargetGroupArn", group));
        }
        await server.Api.EcsAsync("CreateCluster", new { clusterName = Cluster });
        var v1 = await RegisterAsync("1");
        await server.Api.EcsAsync("CreateService", new
        {
            cluster = Cluster, serviceName = Service, taskDefinition = v1, desiredCount = 3,
            loadBalancers = new[]
            {
                new { targetGroupArn = httpGroup, containerName = "api_container", containerPort = 80 },
                new { targetGroupArn = grpcGroup, containerName = "api_container", containerPort = 10080 },
            },
            serviceRegistries = new[] { new { registryArn, containerName = "api_container", containerPort = 80 } },
        });
        var before = await ConvergedAsync(httpGroup, grpcGroup, v1);
        var v2 = await RegisterAsync("2");

        using var stop = new CancellationTokenSource(TimeSpan.FromMinutes(4));
        var (httpLoad, grpcLoad) = (new Load(), new Load());
        var http = Task.Run(() => HammerHttpAsync(httpPort, httpLoad, stop.Token));
        var grpc = Task.Run(() => HammerGrpcAsync(grpcPort, grpcLoad, stop.Token));
        try
        {
            // Traffic flows before the update starts.
            await Until.TrueAsync(() => Task.FromResult(http.IsCompleted || grpc.IsCompleted || (httpLoad.Sent > 0 && grpcLoad.Sent > 0)), "both clients served");
            var updated = await new EcsCli(server.Cli).OkAsync("update-service", "--cluster", Cluster, "--service", Service, "--task-definition", $"{Family}:2");
            Assert.Equal(v2, updated.GetProperty("service").Str("taskDefinition"));

            var after = await ConvergedAsync(httpGroup, grpcGroup, v2);
            Assert.Empty(after.Keys.Intersect(before.Keys));
            // Every old task is stopped (its processes gone) while the clients keep calling.
            foreach (var id in before.Keys)
            {
                await Until.TrueAsync(async () => (await server.Api.EcsAsync("DescribeTasks", new { cluster = Cluster, tasks = new[] { id } }))
                    .GetProperty("tasks")[0].Str("lastStatus") == "STOPPED", $"old task {id} STOPPED");
            }
            var svc = await server.Api.WaitForServiceAsync(Cluster, Service,
                s => s.GetProperty("deployments").GetArrayLength() == 1 && s.GetProperty("deployments")[0].Str("rolloutState") == "COMPLETED", "the deployment COMPLETED");
            Assert.Equal(v2, svc.Str("taskDefinition"));
            var running = (await server.Api.EcsAsync("DescribeTasks", new { cluster = Cluster, tasks = after.Keys.ToArray() })).GetProperty("tasks").EnumerateArray().ToList();
            Assert.Equal(3, running.Count);
            Assert.All(running, t => Assert.Equal((v2, "RUNNING"), (t.Str("taskDefinitionArn"), t.Str("lastStatus"))));

            // The clients reach the new tasks only, through both listeners.
            var (httpBefore, grpcBefore) = (httpLoad.Sent, grpcLoad.Sent);
            await Until.TrueAsync(() => Task.FromResult(http.IsCompleted || grpc.IsCompleted || (httpLoad.Sent > httpBefore + 100 && grpcLoad.Sent > grpcBefore + 100)), "more requests served");
        }
        finally
        {
            await stop.CancelAsync();
        }
        var (httpResult, grpcResult) = (await http, await grpc);
        output.WriteLine($"HTTP/1.1: {httpResult.Sent} requests, {httpResult.Failures.Count} failed; gRPC: {grpcResult.Sent} calls, {grpcResult.Failures.Count} failed");
        Assert.True(httpResult.Failures.Count == 0, $"HTTP/1.1: {httpResult.Failures.Count} of {httpResult.Sent} requests failed: {string.Join("; ", httpResult.Failures.Take(5))}");
        Assert.True(grpcResult.Failures.Count == 0, $"gRPC: {grpcResult.Failures.Count} of {grpcResult.Sent} calls failed: {string.Join("; ", grpcResult.Failures.Take(5))}");
        Assert.Contains(httpResult.Tasks, before.ContainsKey);
        Assert.Contains(grpcResult.Tasks, before.ContainsKey);
        Assert.Contains(httpResult.Tasks, id => !before.ContainsKey(id));
        Assert.Contains(grpcResult.Tasks, id => !before.ContainsKey(id));
    }

    /// <summary>What one client saw: requests sent, what went wrong, and which tasks answered.</summary>
    private sealed class Load
    {
        private int _sent;

        public int Sent => Volatile.Read(ref _sent);
        public List<string> Failures { get; } = [];
        public HashSet<string> Tasks { get; } = new(StringComparer.Ordinal);

        public void Count() => Interlocked.Increment(ref _sent);
    }

    /// <summary>GETs through the HTTP/1.1 listener back to back (one keep-alive connection) until stopped or the bound is reached.</summary>
    private static async Task<Load> HammerHttpAsync(int port, Load load, CancellationToken stop)
    {
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        var url = new Uri($"http://127.0.0.1:{port}/rolling");
        while (!stop.IsCancellationRequested && load.Sent < MaxRequests)
        {
            try
            {
                using var response = await client.GetAsync(url, CancellationToken.None);
                var body = await response.Content.ReadAsStringAsync(CancellationToken.None);
                if (response.IsSuccessStatusCode && body.StartsWith("echo from task ", StringComparison.Ordinal)) load.Tasks.Add(body.Split(' ')[3]);
                else load.Failures.Add($"{(int)response.StatusCode} {body.Trim()}");
            }
            catch (Exception e) when (e is HttpRequestException or IOException or SocketException or TaskCanceledException)
            {
                load.Failures.Add(e.Message);
            }
            load.Count();
        }
        return load;
    }

    /// <summary>Echo calls through the gRPC listener back to back (one HTTP/2 connection) until stopped or the bound is reached.</summary>
    private static async Task<Load> HammerGrpcAsync(int port, Load load, CancellationToken stop)
    {
        using var channel = GrpcChannel.ForAddress($"http://127.0.0.1:{port}");
        var client = new Echo.EchoClient(channel);
        while (!stop.IsCancellationRequested && load.Sent < MaxRequests)
        {
            try
            {
                var reply = await client.EchoAsync(new EchoRequest { Message = "rolling" }, deadline: DateTime.UtcNow.AddSeconds(30), cancellationToken: CancellationToken.None);
                if (reply.Message == "rolling") load.Tasks.Add(reply.Task);
                else load.Failures.Add($"wrong reply {reply}");
            }
            catch (Grpc.Core.RpcException e)
            {
                load.Failures.Add($"{e.StatusCode}: {e.Status.Detail}");
            }
            load.Count();
        }
        return load;
    }

    /// <summary>Waits until 3 tasks of <paramref name="taskDefinitionArn"/> run and are healthy in both target groups and DNS; returns their ports by task id.</summary>
    private async Task<Dictionary<string, Dictionary<int, int>>> ConvergedAsync(string httpGroup, string grpcGroup, string taskDefinitionArn) =>
        await Until.ValueAsync(async () =>
        {
            var ports = await server.TaskPortsAsync(Cluster, Service);
            if (ports.Count != 3) return [];
            var definitions = (await server.Api.EcsAsync("DescribeTasks", new { cluster = Cluster, tasks = ports.Keys.ToArray() })).GetProperty("tasks").EnumerateArray().Select(t => t.Str("taskDefinitionArn"));
            if (definitions.Any(d => d != taskDefinitionArn)) return [];
            var http = await server.HealthyTargetsAsync(httpGroup);
            var grpc = await server.HealthyTargetsAsync(grpcGroup);
            var srv = await DigShort.QueryAsync(server.DnsPort, "echoservice.rolling.domaina", "SRV");
            var converged = http.SequenceEqual(ports.Values.Select(p => $"127.0.0.1:{p[80]}").Order(StringComparer.Ordinal))
                && grpc.SequenceEqual(ports.Values.Select(p => $"127.0.0.1:{p[10080]}").Order(StringComparer.Ordinal))
                && srv.Select(r => int.Parse(r.Split(' ')[2], CultureInfo.InvariantCulture)).Order().SequenceEqual(ports.Values.Select(p => p[80]).Order());
            return converged ? ports : [];
        }, p => p.Count == 3, $"3 tasks of {taskDefinitionArn} healthy in both target groups and DNS", TimeSpan.FromMinutes(3));

    private async Task<string> RegisterAsync(string version) =>
        (await server.Api.EcsAsync("RegisterTaskDefinition", new
        {
            family = Family, networkMode = "bridge", containerDefinitions = new[] { EchoBuild.Container(("ECHO_VERSION", version)) },
        })).GetProperty("taskDefinition").Str("taskDefinitionArn");

    private async Task<string> TargetGroupAsync(string name, string version, string path, string? grpcCode)
    {
        var parameters = new List<(string, string)>
        {
            ("Name", name), ("Protocol", "HTTP"), ("ProtocolVersion", version), ("Port", version == "GRPC" ? "10080" : "80"), ("VpcId", "vpc-1"),
            ("TargetType", "ip"), ("HealthCheckPath", path), ("HealthCheckIntervalSeconds", "5"), ("HealthCheckTimeoutSeconds", "2"), ("HealthyThresholdCount", "2"),
        };
        if (grpcCode is not null) parameters.Add(("Matcher.GrpcCode", grpcCode));
        var arn = EcsProcessServer.Value(await server.ElbAsync("CreateTargetGroup", [.. parameters]), "TargetGroupArn");
        // A short deregistration delay, as services with short requests set it: a draining task is let go after 10 s
        // even while the health checker's idle keep-alive connection to it is still open.
        await server.ElbAsync("ModifyTargetGroupAttributes", ("TargetGroupArn", arn),
            ("Attributes.member.1.Key", "deregistration_delay.timeout_seconds"), ("Attributes.member.1.Value", "10"));
        return arn;
    }

    /// <summary>A private DNS namespace and a MULTIVALUE service with A and SRV records (TTL 5 s); returns the service ARN.</summary>
    private async Task<string> CloudMapServiceAsync(string namespaceName, string serviceName)
    {
        var created = await server.Api.SendAsync(AwsJson.CloudMap, "CreatePrivateDnsNamespace", new { Name = namespaceName, Vpc = "vpc-1" });
        var operation = await server.Api.SendAsync(AwsJson.CloudMap, "GetOperation", new { OperationId = created.Str("OperationId") });
        var namespaceId = operation.GetProperty("Operation").GetProperty("Targets").Str("NAMESPACE");
        var service = await server.Api.SendAsync(AwsJson.CloudMap, "CreateService", new
        {
            Name = serviceName,
            DnsConfig = new { NamespaceId = namespaceId, RoutingPolicy = "MULTIVALUE", DnsRecords = new[] { new { Type = "A", TTL = 5 }, new { Type = "SRV", TTL = 5 } } },
        });
        return service.GetProperty("Service").Str("Arn");
    }

    private static string Str(int value) => value.ToString(CultureInfo.InvariantCulture);

}
