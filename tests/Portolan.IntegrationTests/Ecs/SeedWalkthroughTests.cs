using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Portolan.IntegrationTests.Ecs.Support;
using Portolan.IntegrationTests.Support;
using Portolan.Testing;

namespace Portolan.IntegrationTests.Ecs;

/// <summary>
/// The seed scenario end to end, typed as a user would against the real <c>portolan serve</c>: a private DNS namespace
/// <c>domaina</c> with the Cloud Map service <c>echoservice</c> (A + SRV), two target groups (HTTP/1.1 for container port
/// 80, gRPC for 10080), one load balancer with a listener for each, a task definition running examples/echo, and
/// <c>create-service --cli-input-json file://spec.json</c> with two loadBalancers entries for the one container and a
/// serviceRegistries entry. Then curl through listener 1, a gRPC call through listener 2, dig A and SRV, scaling to 3,
/// and a task's process killed and replaced. Every command is a real one (aws, curl, dig, ps, kill, the echo client);
/// the transcript goes to README-ecs-walkthrough.txt beside this file, for the README.
/// </summary>
public sealed class SeedWalkthroughTests(EcsProcessServer server) : IClassFixture<EcsProcessServer>
{
    private const string UpdateVariable = "PORTOLAN_UPDATE_WALKTHROUGH";
    private const int ShownApiPort = 7766, ShownDnsPort = 7753, ShownHttpListener = 8080, ShownGrpcListener = 9090;

    private readonly ShellTranscript _transcript = new();

    [Fact]
    public async Task Seed_scenario_as_a_user_types_it()
    {
        var apiPort = server.Process.ApiUri.Port;
        var (httpPort, grpcPort) = (FreePorts.Next(), FreePorts.Next());
        Assert.NotEqual(httpPort, grpcPort);
        var t = _transcript;
        t.MapPath($"file://{server.Home.Path}/", "file://"); // the input files are in the current directory
        t.MapPath(server.Home.Path, "/home/you");
        t.MapPath(SourceTree.RepositoryRoot, "/home/you/portolan");
        t.MapPort(apiPort, ShownApiPort);
        t.MapPort(server.DnsPort, ShownDnsPort);
        t.MapPort(httpPort, ShownHttpListener);
        t.MapPort(grpcPort, ShownGrpcListener);
        t.Comment("""
            The seed scenario against `portolan serve`, typed as a user would, with Debian's aws CLI 2.9.19, curl, dig and
            examples/echo (built with `dotnet build examples/echo`). Recorded by
            tests/Portolan.IntegrationTests/Ecs/SeedWalkthroughTests.cs, which runs exactly these commands and checks their
            output. The test binds ephemeral ports and a temporary home; they are shown as the defaults (API 7766, DNS 7753),
            listeners on 8080 and 9090, and /home/you. Ids, host ports and process ids differ on every run.
            """);
        t.Blank();
        t.Command("portolan serve", server.Process.StdOut.Replace(server.DataDir, "/home/you/.portolan", StringComparison.Ordinal));
        t.Command("export AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_DEFAULT_REGION=us-east-1", "");
        t.Command($"E=\"--endpoint-url http://127.0.0.1:{apiPort}\"", "");

        // Cloud Map: the namespace and the service tasks register in.
        var operationId = (await Aws("servicediscovery", "create-private-dns-namespace", "--name", "domaina", "--vpc", "vpc-1234")).Str("OperationId");
        var namespaceId = await AwsText("servicediscovery", "get-operation", "--operation-id", operationId, "--query", "Operation.Targets.NAMESPACE", "--output", "text");
        var registryArn = await AwsText("servicediscovery", "create-service", "--name", "echoservice",
            "--dns-config", $"NamespaceId={namespaceId},RoutingPolicy=MULTIVALUE,DnsRecords=[{{Type=A,TTL=10}},{{Type=SRV,TTL=10}}]",
            "--query", "Service.Arn", "--output", "text");

        // The load balancer: one target group per container port, one listener per target group.
        var httpGroup = await AwsText("elbv2", "create-target-group", "--name", "echo-http", "--protocol", "HTTP", "--protocol-version", "HTTP1",
            "--port", "80", "--target-type", "ip", "--vpc-id", "vpc-1234", "--health-check-path", "/health",
            "--health-check-interval-seconds", "5", "--health-check-timeout-seconds", "2", "--healthy-threshold-count", "2", "--query", "TargetGroups[0].TargetGroupArn", "--output", "text");
        var grpcGroup = await AwsText("elbv2", "create-target-group", "--name", "echo-grpc", "--protocol", "HTTP", "--protocol-version", "GRPC",
            "--port", "10080", "--target-type", "ip", "--vpc-id", "vpc-1234", "--health-check-path", "/grpc.health.v1.Health/Check", "--matcher", "GrpcCode=0",
            "--health-check-interval-seconds", "5", "--health-check-timeout-seconds", "2", "--healthy-threshold-count", "2", "--query", "TargetGroups[0].TargetGroupArn", "--output", "text");
        var loadBalancer = await AwsText("elbv2", "create-load-balancer", "--name", "echo-alb", "--subnets", "subnet-1", "subnet-2",
            "--query", "LoadBalancers[0].LoadBalancerArn", "--output", "text");
        await AwsText("elbv2", "create-listener", "--load-balancer-arn", loadBalancer, "--protocol", "HTTP", "--port", Str(httpPort),
            "--default-actions", $"Type=forward,TargetGroupArn={httpGroup}", "--query", "Listeners[0].ListenerArn", "--output", "text");
        await AwsText("elbv2", "create-listener", "--load-balancer-arn", loadBalancer, "--protocol", "HTTP", "--port", Str(grpcPort),
            "--default-actions", $"Type=forward,TargetGroupArn={grpcGroup}", "--query", "Listeners[0].ListenerArn", "--output", "text");

        // ECS: a cluster, the echo task definition, and the service from spec.json.
        await AwsText("ecs", "create-cluster", "--cluster-name", "demo", "--query", "cluster.clusterArn", "--output", "text");
        var taskDefinition = JsonSerializer.Serialize(new { family = "echo", networkMode = "bridge", containerDefinitions = new[] { EchoBuild.Container() } }, Indented);
        var taskDefinitionArn = await AwsText("ecs", "register-task-definition", "--cli-input-json", InputFile("taskdef.json", taskDefinition),
            "--query", "taskDefinition.taskDefinitionArn", "--output", "text");
        Assert.EndsWith(":task-definition/echo:1", taskDefinitionArn, StringComparison.Ordinal);
        var spec = JsonSerializer.Serialize(new
        {
            cluster = "demo", serviceName = "echoservice", taskDefinition = "echo", desiredCount = 2,
            loadBalancers = new[]
            {
                new { targetGroupArn = httpGroup, containerName = "api_container", containerPort = 80 },
                new { targetGroupArn = grpcGroup, containerName = "api_container", containerPort = 10080 },
            },
            serviceRegistries = new[] { new { registryArn, containerName = "api_container", containerPort = 80 } },
        }, Indented);
        var created = await Aws("ecs", "create-service", "--cli-input-json", InputFile("spec.json", spec),
            "--query", "service.{status:status,desiredCount:desiredCount,loadBalancers:loadBalancers,serviceRegistries:serviceRegistries}");
        Assert.Equal("ACTIVE", created.Str("status"));
        Assert.Equal(2, created.GetProperty("loadBalancers").GetArrayLength());

        // Two tasks: once their health checks pass they are in DNS and in both target groups.
        var ports = await ConvergedAsync(2, httpGroup, grpcGroup);
        t.Comment("A few seconds later both tasks passed their container health check and both target groups' checks:");
        var described = await Aws("ecs", "describe-services", "--cluster", "demo", "--services", "echoservice",
            "--query", "services[0].{runningCount:runningCount,rolloutState:deployments[0].rolloutState,events:events[].message}");
        Assert.Equal(2, described.GetProperty("runningCount").GetInt32());
        await TargetsAsync(httpGroup, ports, 80);
        await TargetsAsync(grpcGroup, ports, 10080);

        // HTTP/1.1 through listener 1 and gRPC (h2c) through listener 2 reach echo in one of the tasks.
        var echoed = await Run("curl", "-s", $"http://127.0.0.1:{httpPort}/hello");
        Assert.True(ports.Any(p => echoed == $"echo from task {p.Key} (port {p.Value[80]}): GET /hello \n"), echoed);
        var reply = Json.Parse(await Run("dotnet", EchoBuild.Dll, "call", $"http://127.0.0.1:{grpcPort}", "hello"));
        Assert.Equal("hello", reply.Str("message"));
        Assert.Equal(ports[reply.Str("task")][10080], reply.GetProperty("port").GetInt32());

        // DNS: the A record of the tasks' address, and an SRV record per task with its host port for container port 80.
        await DnsAsync(ports);

        // Scale to 3.
        await Aws("ecs", "update-service", "--cluster", "demo", "--service", "echoservice", "--desired-count", "3",
            "--query", "service.{desiredCount:desiredCount,runningCount:runningCount}");
        ports = await ConvergedAsync(3, httpGroup, grpcGroup);
        t.Comment("Once the third task is healthy:");
        await TargetsAsync(httpGroup, ports, 80);
        await TargetsAsync(grpcGroup, ports, 10080);
        await DnsAsync(ports);

        // Kill one task's process: ECS stops the task and the scheduler replaces it.
        var arns = (await Aws("ecs", "list-tasks", "--cluster", "demo", "--service-name", "echoservice")).GetProperty("taskArns").EnumerateArray().Select(a => a.GetString()!).ToList();
        Assert.Equal(3, arns.Count);
        var victim = arns[0];
        var victimId = victim[(victim.LastIndexOf('/') + 1)..];
        var pid = await AwsText("ecs", "describe-tasks", "--cluster", "demo", "--tasks", victim, "--query", "tasks[0].containers[0].runtimeId", "--output", "text");
        Assert.Contains(EchoBuild.Dll, await Run("ps", "-o", "pid,args", "-p", pid), StringComparison.Ordinal);
        await Run("kill", "-9", pid);
        await Until.TrueAsync(async () => (await server.Api.EcsAsync("DescribeTasks", new { cluster = "demo", tasks = new[] { victim } }))
            .GetProperty("tasks")[0].Str("lastStatus") == "STOPPED", "the killed task STOPPED");
        ports = await ConvergedAsync(3, httpGroup, grpcGroup);
        Assert.DoesNotContain(victimId, ports.Keys);
        t.Comment("The task stopped, and its replacement is healthy in DNS and both target groups:");
        var stopped = await Aws("ecs", "describe-tasks", "--cluster", "demo", "--tasks", victim,
            "--query", "tasks[0].{lastStatus:lastStatus,stopCode:stopCode,stoppedReason:stoppedReason,exitCode:containers[0].exitCode}");
        Assert.Equal(("STOPPED", "EssentialContainerExited"), (stopped.Str("lastStatus"), stopped.Str("stopCode")));
        var events = await Aws("ecs", "describe-services", "--cluster", "demo", "--services", "echoservice", "--query", "services[0].events[:6].message");
        Assert.Contains(events.EnumerateArray(), e => e.GetString()!.StartsWith("(service echoservice) has started 1 tasks:", StringComparison.Ordinal));
        await TargetsAsync(httpGroup, ports, 80);
        await TargetsAsync(grpcGroup, ports, 10080);
        await DnsAsync(ports);
        echoed = await Run("curl", "-s", $"http://127.0.0.1:{httpPort}/again");
        Assert.True(ports.Any(p => echoed == $"echo from task {p.Key} (port {p.Value[80]}): GET /again \n"), echoed);

        await t.VerifyAsync(Path.Combine(SourceTree.ProjectDirectory, "Ecs", "README-ecs-walkthrough.txt"), UpdateVariable);
    }

    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    /// <summary>
    /// Waits (without recording) until the service runs <paramref name="count"/> tasks and every one of them is healthy
    /// in both target groups and in DNS (one SRV record each); returns their host ports by task id.
    /// </summary>
    private async Task<Dictionary<string, Dictionary<int, int>>> ConvergedAsync(int count, string httpGroup, string grpcGroup) =>
        await Until.ValueAsync(async () =>
        {
            var ports = await server.TaskPortsAsync("demo", "echoservice");
            if (ports.Count != count) return ports;
            var http = await server.HealthyTargetsAsync(httpGroup);
            var grpc = await server.HealthyTargetsAsync(grpcGroup);
            var srv = await DigShort.QueryAsync(server.DnsPort, "echoservice.domaina", "SRV");
            var converged = http.SequenceEqual(ports.Values.Select(p => $"127.0.0.1:{p[80]}").Order(StringComparer.Ordinal))
                && grpc.SequenceEqual(ports.Values.Select(p => $"127.0.0.1:{p[10080]}").Order(StringComparer.Ordinal))
                && srv.Select(r => int.Parse(r.Split(' ')[2], CultureInfo.InvariantCulture)).Order().SequenceEqual(ports.Values.Select(p => p[80]).Order());
            return converged ? ports : [];
        }, p => p.Count == count, $"{count} tasks healthy in both target groups and DNS");

    /// <summary>describe-target-health as text: one healthy line per task, at its host port for <paramref name="containerPort"/>, and draining ones.</summary>
    private async Task TargetsAsync(string targetGroupArn, Dictionary<string, Dictionary<int, int>> ports, int containerPort)
    {
        var text = await AwsText("elbv2", "describe-target-health", "--target-group-arn", targetGroupArn,
            "--query", "TargetHealthDescriptions[].[Target.Id,Target.Port,TargetHealth.State]", "--output", "text");
        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(ports.Values.Select(p => $"127.0.0.1\t{p[containerPort]}\thealthy").Order(StringComparer.Ordinal), lines.Where(l => l.EndsWith("\thealthy", StringComparison.Ordinal)));
        // A stopped task's target drains for the deregistration delay, as on AWS; nothing else is there.
        Assert.All(lines.Where(l => !l.EndsWith("\thealthy", StringComparison.Ordinal)), l => Assert.EndsWith("\tdraining", l, StringComparison.Ordinal));
    }

    /// <summary>dig A and SRV for echoservice.domaina: the tasks' address, and their host ports for container port 80.</summary>
    private async Task DnsAsync(Dictionary<string, Dictionary<int, int>> ports)
    {
        var a = (await Run("dig", "@127.0.0.1", "-p", Str(server.DnsPort), "echoservice.domaina", "+short")).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.NotEmpty(a);
        Assert.All(a, r => Assert.Equal("127.0.0.1", r));
        var srv = (await Run("dig", "@127.0.0.1", "-p", Str(server.DnsPort), "echoservice.domaina", "SRV", "+short")).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(
            ports.Select(p => $"1 1 {p.Value[80]} {p.Key}.echoservice.domaina.").Order(StringComparer.Ordinal),
            srv.Order(StringComparer.Ordinal));
    }

    /// <summary>Runs <c>aws ARGS $E</c>, records it and returns its JSON output.</summary>
    private async Task<JsonElement> Aws(params string[] args) => Json.Parse(await AwsText(args));

    /// <summary>Runs <c>aws ARGS $E</c>, records it and returns its output (trimmed).</summary>
    private async Task<string> AwsText(params string[] args)
    {
        var result = await server.Cli.RunAsync(args, CancellationToken.None);
        Assert.True(result.ExitCode == 0, $"aws {string.Join(' ', args)}\n{result}");
        _transcript.Command(ShellTranscript.Line("aws", args, "$E"), result.StdOut);
        return result.StdOut.Trim();
    }

    /// <summary>Runs a program, records it and returns its output (which must come with exit 0).</summary>
    private async Task<string> Run(string program, params string[] args)
    {
        var output = await Shell.OkAsync(program, args);
        _transcript.Command(ShellTranscript.Line(program, args), output);
        return output;
    }

    /// <summary>Writes an input file in the user's home (recorded as a here-document); returns its file:// argument as typed there.</summary>
    private string InputFile(string name, string json)
    {
        var path = Path.Combine(server.Home.Path, name);
        File.WriteAllText(path, json + "\n");
        _transcript.File(name, json);
        return "file://" + path;
    }

    private static string Str(int value) => value.ToString(CultureInfo.InvariantCulture);

}
