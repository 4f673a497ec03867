using System.Globalization;
using System.Net;
using System.Text.Json;
using Portolan.ConsoleTests.Support;
using Portolan.Testing;

namespace Portolan.ConsoleTests;

/// <summary>
/// GET /metrics after real traffic (dig over UDP and TCP, aws CLI calls) on a server of its own, so every count is
/// exactly what these tests sent; the scrape must parse as the Prometheus text format, strictly.
/// </summary>
public sealed class MetricsTests(MetricsTests.Server server) : IClassFixture<MetricsTests.Server>
{
    public sealed class Server : ConsoleServer;

    private static (string, string) L(string name, string value) => (name, value);

    [Fact]
    public async Task Scrape_after_dns_and_api_traffic_counts_exactly_what_was_sent()
    {
        // API: one namespace, one service, two instances: four committed registry writes; one rejected.
        var op = await server.Sd("create-private-dns-namespace", "--name", "metrics.test", "--vpc", "vpc-1");
        var namespaceId = (await server.Sd("get-operation", "--operation-id", op!.Value.GetProperty("OperationId").GetString()!))!.Value
            .GetProperty("Operation").GetProperty("Targets").GetProperty("NAMESPACE").GetString()!;
        var serviceId = (await server.Sd("create-service", "--name", "web", "--namespace-id", namespaceId,
            "--dns-config", "RoutingPolicy=MULTIVALUE,DnsRecords=[{Type=A,TTL=30}]", "--health-check-custom-config", "FailureThreshold=1"))!.Value
            .GetProperty("Service").GetProperty("Id").GetString()!;
        await server.Sd("register-instance", "--service-id", serviceId, "--instance-id", "i-1", "--attributes", "AWS_INSTANCE_IPV4=127.0.0.21");
        await server.Sd("register-instance", "--service-id", serviceId, "--instance-id", "i-2", "--attributes", "AWS_INSTANCE_IPV4=127.0.0.22");
        var rejected = await server.Aws.RunAsync("servicediscovery", "create-service", "--name", "x", "--namespace-id", "ns-doesnotexist00000");
        Assert.NotEqual(0, rejected.ExitCode);
        await server.Sd("update-instance-custom-health-status", "--service-id", serviceId, "--instance-id", "i-2", "--status", "UNHEALTHY");

        // DNS: 5 + 1 (TCP) answers, 3 names that don't exist, 2 types the name lacks, 1 name outside every zone.
        for (var i = 0; i < 5; i++) Assert.Equal("NOERROR", (await Dig.QueryAsync(server.DnsPort, "web.metrics.test", "A")).Status);
        Assert.Equal(["127.0.0.21"], (await Dig.QueryAsync(server.DnsPort, "web.metrics.test", "A", tcp: true)).Answers);
        for (var i = 0; i < 3; i++) Assert.Equal("NXDOMAIN", (await Dig.QueryAsync(server.DnsPort, $"nothing-{i}.metrics.test", "A")).Status);
        for (var i = 0; i < 2; i++) Assert.Equal("NOERROR", (await Dig.QueryAsync(server.DnsPort, "web.metrics.test", "AAAA")).Status);
        Assert.Equal("REFUSED", (await Dig.QueryAsync(server.DnsPort, "example.com", "A")).Status);

        using var response = await server.Http.GetAsync("/metrics");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.StartsWith("text/plain", response.Content.Headers.ContentType?.MediaType, StringComparison.Ordinal);
        var metrics = PrometheusText.Parse(await response.Content.ReadAsStringAsync());

        Assert.Equal("counter", metrics.TypeOf("portolan_dns_queries_total"));
        Assert.Equal(6, metrics.Value("portolan_dns_queries_total", L("type", "A"), L("rcode", "NOERROR")));
        Assert.Equal(3, metrics.Value("portolan_dns_queries_total", L("type", "A"), L("rcode", "NXDOMAIN")));
        Assert.Equal(2, metrics.Value("portolan_dns_queries_total", L("type", "AAAA"), L("rcode", "NOERROR")));
        Assert.Equal(1, metrics.Value("portolan_dns_queries_total", L("type", "A"), L("rcode", "REFUSED")));
        Assert.Equal(12, metrics.Find("portolan_dns_queries_total").Sum(s => s.Value));

        Assert.Equal("histogram", metrics.TypeOf("portolan_dns_query_duration_seconds"));
        Assert.Equal(11, metrics.Value("portolan_dns_query_duration_seconds_count", L("transport", "udp")));
        Assert.Equal(1, metrics.Value("portolan_dns_query_duration_seconds_count", L("transport", "tcp")));
        Assert.True(metrics.Value("portolan_dns_query_duration_seconds_sum", L("transport", "udp")) > 0);

        Assert.Equal("histogram", metrics.TypeOf("portolan_registry_write_duration_seconds"));
        Assert.Equal(5, metrics.Value("portolan_registry_write_duration_seconds_count", L("outcome", "committed")));
        Assert.Equal(1, metrics.Value("portolan_registry_write_duration_seconds_count", L("outcome", "rejected")));

        Assert.Equal(1, metrics.Value("portolan_cloudmap_namespaces"));
        Assert.Equal(1, metrics.Value("portolan_cloudmap_services"));
        Assert.Equal(1, metrics.Value("portolan_cloudmap_instances", L("health", "HEALTHY")));
        Assert.Equal(1, metrics.Value("portolan_cloudmap_instances", L("health", "UNHEALTHY")));
        Assert.Equal(await FirstRevisionEventAsync(), metrics.Value("portolan_registry_revision"));

        await LoadBalancerAndTaskMetricsAsync();
    }

    /// <summary>
    /// After the counts above (which these changes would move): requests through a real listener to a real target,
    /// by listener, target group and status class with the latency histogram; and ECS tasks by status.
    /// </summary>
    private async Task LoadBalancerAndTaskMetricsAsync()
    {
        await using var target = await HttpTarget.StartAsync();
        var tgArn = (await ElbAsync("create-target-group", "--name", "metered", "--protocol", "HTTP", "--port", "80", "--vpc-id", "vpc-1", "--target-type", "ip", "--health-check-interval-seconds", "5", "--health-check-timeout-seconds", "2"))
            .GetProperty("TargetGroups")[0].GetProperty("TargetGroupArn").GetString()!;
        await ElbAsync("register-targets", "--target-group-arn", tgArn, "--targets", $"Id=127.0.0.1,Port={target.Port}");
        var lbArn = (await ElbAsync("create-load-balancer", "--name", "metered", "--subnets", "subnet-1", "subnet-2"))
            .GetProperty("LoadBalancers")[0].GetProperty("LoadBalancerArn").GetString()!;
        var port = FreePorts.Next();
        var listenerArn = (await ElbAsync("create-listener", "--load-balancer-arn", lbArn, "--protocol", "HTTP", "--port", port.ToString(CultureInfo.InvariantCulture),
            "--default-actions", $"Type=forward,TargetGroupArn={tgArn}")).GetProperty("Listeners")[0].GetProperty("ListenerArn").GetString()!;

        // Three answered by the target, once it passed a check and the listener's port is open (a bare connection
        // is no request: the counts stay exact).
        await UntilAsync(async () => (await ElbAsync("describe-target-health", "--target-group-arn", tgArn))
            .GetProperty("TargetHealthDescriptions")[0].GetProperty("TargetHealth").GetProperty("State").GetString() == "healthy");
        await UntilAsync(async () =>
        {
            using var client = new System.Net.Sockets.TcpClient();
            try
            {
                await client.ConnectAsync(IPAddress.Loopback, port);
                return true;
            }
            catch (System.Net.Sockets.SocketException)
            {
                return false;
            }
        });
        using var http = new HttpClient();
        for (var i = 0; i < 3; i++) Assert.Equal("ok", await http.GetStringAsync(new Uri($"http://127.0.0.1:{port}/r{i}")));

        // ECS: two tasks of a sleeping process, one stopped.
        await Ecs("create-cluster", "--cluster-name", "metered");
        await Ecs("register-task-definition", "--family", "sleeper", "--container-definitions",
            """[{"name":"app","image":"none","essential":true,"memory":16,"command":["sleep","600"]}]""");
        var tasks = (await Ecs("run-task", "--cluster", "metered", "--task-definition", "sleeper", "--count", "2")).GetProperty("tasks");
        await Ecs("stop-task", "--cluster", "metered", "--task", tasks[0].GetProperty("taskArn").GetString()!);

        var metrics = await ScrapeUntilAsync(m =>
            m.ValueOrZero("portolan_ecs_tasks", L("cluster", "metered"), L("status", "STOPPED")) == 1
            && m.ValueOrZero("portolan_ecs_tasks", L("cluster", "metered"), L("status", "RUNNING")) == 1);
        Assert.Equal("gauge", metrics.TypeOf("portolan_ecs_tasks"));
        Assert.Equal(2, metrics.Find("portolan_ecs_tasks", L("cluster", "metered")).Sum(s => s.Value));
        Assert.Equal(8, metrics.Find("portolan_ecs_tasks", L("cluster", "metered")).Count());

        Assert.Equal("counter", metrics.TypeOf("portolan_lb_requests_total"));
        Assert.Equal(3, metrics.Value("portolan_lb_requests_total", L("listener", listenerArn), L("status_class", "2xx")));
        Assert.Equal(0, metrics.Value("portolan_lb_requests_total", L("listener", listenerArn), L("status_class", "5xx")));
        Assert.Equal(3, metrics.Value("portolan_lb_target_group_requests_total", L("target_group", tgArn), L("status_class", "2xx")));
        Assert.Equal("histogram", metrics.TypeOf("portolan_lb_request_duration_seconds"));
        Assert.Equal(3, metrics.Value("portolan_lb_request_duration_seconds_count", L("listener", listenerArn)));
        Assert.Equal(3, metrics.Value("portolan_lb_request_duration_seconds_bucket", L("listener", listenerArn), L("le", "+Inf")));
        Assert.True(metrics.Value("portolan_lb_request_duration_seconds_sum", L("listener", listenerArn)) > 0);
    }

    /// <summary>Polls (bounded) until the condition holds; the assertions after it say what was expected.</summary>
    private static async Task UntilAsync(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!await condition() && DateTime.UtcNow < deadline) await Task.Delay(200);
    }

    /// <summary>Scrapes until the condition holds (tasks start and stop as real processes, a moment after the API answers).</summary>
    private async Task<PrometheusText> ScrapeUntilAsync(Func<PrometheusText, bool> condition)
    {
        PrometheusText metrics;
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!condition(metrics = PrometheusText.Parse(await server.Http.GetStringAsync("/metrics"))) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(200);
        }

        return metrics;
    }

    private async Task<JsonElement> ElbAsync(params string[] args) => await CliAsync(["elbv2", .. args]);

    private async Task<JsonElement> Ecs(params string[] args) => await CliAsync(["ecs", .. args]);

    private async Task<JsonElement> CliAsync(string[] args)
    {
        var result = (await server.Aws.RunAsync(args, CancellationToken.None)).EnsureSuccess();
        if (string.IsNullOrWhiteSpace(result.StdOut)) return default;
        using var json = result.Json();
        return json.RootElement.Clone();
    }


    /// <summary>The revision the console's event stream reports first: the snapshot's, as the gauge must be.</summary>
    private async Task<long> FirstRevisionEventAsync()
    {
        using var stream = await server.Http.GetStreamAsync("/console/api/events");
        using var reader = new StreamReader(stream);
        while (await reader.ReadLineAsync() is { } line)
        {
            if (line.StartsWith("id: ", StringComparison.Ordinal)) return long.Parse(line[4..], System.Globalization.CultureInfo.InvariantCulture);
        }

        throw new InvalidOperationException("The event stream ended without an event.");
    }
}
