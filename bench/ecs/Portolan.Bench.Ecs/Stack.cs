using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using DnsClient;

namespace Portolan.Bench.Ecs;

/// <summary>One task as DescribeTasks reports it: its status and the host ports of container ports 80 and 10080.</summary>
internal sealed record TaskView(string Arn, string Status, string TaskDefinitionArn, int HttpPort, int GrpcPort)
{
    public bool Running => Status == "RUNNING";
}

/// <summary>The seed scenario's resources, named after <c>NAME</c>: what the service is created into.</summary>
internal sealed class Stack
{
    private readonly Apis _api;
    private readonly string _echo;

    private Stack(Apis api, string name, string echo)
    {
        _api = api;
        _echo = echo;
        Cluster = name;
        DnsName = $"echo.{name}.bench";
    }

    public string Cluster { get; }
    public string DnsName { get; }
    public string RegistryArn { get; private set; } = "";
    public string HttpGroup { get; private set; } = "";
    public string GrpcGroup { get; private set; } = "";
    public int HttpListener { get; private set; }
    public int GrpcListener { get; private set; }
    public string TaskDefinitionArn { get; private set; } = "";

    public static async Task<Stack> CreateAsync(Apis api, string name, string echo)
    {
        var s = new Stack(api, name, echo);
        var created = await api.CloudMapAsync("CreatePrivateDnsNamespace", new JsonObject { ["Name"] = $"{name}.bench", ["Vpc"] = "vpc-bench" });
        var operation = await api.CloudMapAsync("GetOperation", new JsonObject { ["OperationId"] = (string)created["OperationId"]! });
        var service = await api.CloudMapAsync("CreateService", new JsonObject
        {
            ["Name"] = "echo",
            ["DnsConfig"] = new JsonObject
            {
                ["NamespaceId"] = (string)operation["Operation"]!["Targets"]!["NAMESPACE"]!, ["RoutingPolicy"] = "MULTIVALUE",
                ["DnsRecords"] = new JsonArray(new JsonObject { ["Type"] = "A", ["TTL"] = 5 }, new JsonObject { ["Type"] = "SRV", ["TTL"] = 5 }),
            },
        });
        s.RegistryArn = (string)service["Service"]!["Arn"]!;
        s.HttpGroup = await s.TargetGroupAsync($"{name}-http", "HTTP1", "80", "/health", null);
        s.GrpcGroup = await s.TargetGroupAsync($"{name}-grpc", "GRPC", "10080", "/grpc.health.v1.Health/Check", "0");
        var lb = Apis.Value(await api.ElbAsync("CreateLoadBalancer", ("Name", $"{name}-alb"), ("Subnets.member.1", "subnet-1"), ("Subnets.member.2", "subnet-2")), "LoadBalancerArn");
        (s.HttpListener, s.GrpcListener) = (FreePort(), FreePort());
        foreach (var (port, group) in new[] { (s.HttpListener, s.HttpGroup), (s.GrpcListener, s.GrpcGroup) })
        {
            await api.ElbAsync("CreateListener", ("LoadBalancerArn", lb), ("Protocol", "HTTP"), ("Port", port.ToString(CultureInfo.InvariantCulture)),
                ("DefaultActions.member.1.Type", "forward"), ("DefaultActions.member.1.TargetGroupArn", group));
        }
        await api.EcsAsync("CreateCluster", new JsonObject { ["clusterName"] = name });
        s.TaskDefinitionArn = await s.RegisterAsync("1");
        return s;
    }

    /// <summary>Registers a revision of the echo task definition (differing only in ECHO_VERSION); returns its ARN.</summary>
    public async Task<string> RegisterAsync(string version)
    {
        var container = new JsonObject
        {
            ["name"] = "api_container", ["image"] = "example/echo:latest", ["command"] = new JsonArray("dotnet", _echo),
            ["environment"] = new JsonArray(new JsonObject { ["name"] = "ECHO_VERSION", ["value"] = version }),
            ["portMappings"] = new JsonArray(
                new JsonObject { ["containerPort"] = 80, ["hostPort"] = 0, ["name"] = "http" },
                new JsonObject { ["containerPort"] = 10080, ["hostPort"] = 0, ["name"] = "grpc" }),
            ["healthCheck"] = new JsonObject
            {
                ["command"] = new JsonArray("CMD-SHELL", "curl -fs http://127.0.0.1:$PORTOLAN_PORT_HTTP/health"), ["interval"] = 5, ["timeout"] = 2, ["retries"] = 3,
            },
        };
        var registered = await _api.EcsAsync("RegisterTaskDefinition", new JsonObject
        {
            ["family"] = $"{Cluster}-echo", ["networkMode"] = "bridge", ["containerDefinitions"] = new JsonArray(container),
        });
        return (string)registered["taskDefinition"]!["taskDefinitionArn"]!;
    }

    /// <summary>CreateService: <paramref name="count"/> tasks behind both target groups and in the Cloud Map service.</summary>
    public Task CreateServiceAsync(int count) => _api.EcsAsync("CreateService", new JsonObject
    {
        ["cluster"] = Cluster, ["serviceName"] = "echo", ["taskDefinition"] = TaskDefinitionArn, ["desiredCount"] = count,
        ["loadBalancers"] = new JsonArray(
            new JsonObject { ["targetGroupArn"] = HttpGroup, ["containerName"] = "api_container", ["containerPort"] = 80 },
            new JsonObject { ["targetGroupArn"] = GrpcGroup, ["containerName"] = "api_container", ["containerPort"] = 10080 }),
        ["serviceRegistries"] = new JsonArray(new JsonObject { ["registryArn"] = RegistryArn, ["containerName"] = "api_container", ["containerPort"] = 80 }),
    });

    /// <summary>The service's tasks that should be running.</summary>
    public async Task<List<TaskView>> TasksAsync()
    {
        var listed = await _api.EcsAsync("ListTasks", new JsonObject { ["cluster"] = Cluster, ["serviceName"] = "echo", ["desiredStatus"] = "RUNNING", ["maxResults"] = 100 });
        return await DescribeAsync(listed["taskArns"]!.AsArray().Select(a => (string)a!).ToList());
    }

    public async Task<List<TaskView>> DescribeAsync(List<string> arns)
    {
        var result = new List<TaskView>();
        foreach (var chunk in arns.Chunk(100))
        {
            var described = await _api.EcsAsync("DescribeTasks", new JsonObject { ["cluster"] = Cluster, ["tasks"] = new JsonArray(chunk.Select(a => (JsonNode)a).ToArray()) });
            foreach (var t in described["tasks"]!.AsArray())
            {
                var bindings = t!["containers"]![0]!["networkBindings"]?.AsArray() ?? [];
                int Host(int containerPort) => bindings.Where(b => (int)b!["containerPort"]! == containerPort).Select(b => (int)b!["hostPort"]!).FirstOrDefault();
                result.Add(new TaskView((string)t["taskArn"]!, (string)t["lastStatus"]!, (string)t["taskDefinitionArn"]!, Host(80), Host(10080)));
            }
        }
        return result;
    }

    /// <summary>Route 53 puts at most 8 healthy records in a MULTIVALUE answer.</summary>
    private const int MultivalueAnswerLimit = 8;

    /// <summary>
    /// True when exactly <paramref name="count"/> tasks of <paramref name="taskDefinitionArn"/> run and they are exactly
    /// the healthy targets of both target groups and the SRV records of the Cloud Map service (as many as a MULTIVALUE
    /// answer holds).
    /// </summary>
    public async Task<bool> ConvergedAsync(LookupClient dns, int count, string taskDefinitionArn)
    {
        var tasks = await TasksAsync();
        if (tasks.Count != count || tasks.Any(t => !t.Running || t.TaskDefinitionArn != taskDefinitionArn)) return false;
        if (!(await _api.HealthyPortsAsync(HttpGroup)).SetEquals(tasks.Select(t => t.HttpPort))) return false;
        if (!(await _api.HealthyPortsAsync(GrpcGroup)).SetEquals(tasks.Select(t => t.GrpcPort))) return false;
        var answer = await dns.QueryAsync(DnsName, QueryType.SRV);
        var srv = answer.Answers.SrvRecords().Select(r => (int)r.Port).ToList();
        // MULTIVALUE answers hold at most 8 healthy records (Route 53's rule), a different subset per query.
        return srv.Count == Math.Min(count, MultivalueAnswerLimit) && srv.ToHashSet().IsSubsetOf(tasks.Select(t => t.HttpPort));
    }

    private async Task<string> TargetGroupAsync(string name, string version, string port, string path, string? grpcCode)
    {
        var parameters = new List<(string, string)>
        {
            ("Name", name), ("Protocol", "HTTP"), ("ProtocolVersion", version), ("Port", port), ("VpcId", "vpc-bench"), ("TargetType", "ip"),
            ("HealthCheckPath", path), ("HealthCheckIntervalSeconds", "5"), ("HealthCheckTimeoutSeconds", "2"), ("HealthyThresholdCount", "2"),
        };
        if (grpcCode is not null) parameters.Add(("Matcher.GrpcCode", grpcCode));
        var arn = Apis.Value(await _api.ElbAsync("CreateTargetGroup", [.. parameters]), "TargetGroupArn");
        await _api.ElbAsync("ModifyTargetGroupAttributes", ("TargetGroupArn", arn),
            ("Attributes.member.1.Key", "deregistration_delay.timeout_seconds"), ("Attributes.member.1.Value", "10"));
        return arn;
    }

    private static int FreePort()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)socket.LocalEndPoint!).Port;
    }
}
