using System.Net;
using Portolan.ConsoleTests.Support;

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
