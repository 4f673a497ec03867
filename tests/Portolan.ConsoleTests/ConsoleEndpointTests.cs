using System.Net;
using System.Text.Json;
using Portolan.ConsoleTests.Support;

namespace Portolan.ConsoleTests;

/// <summary>What the API port serves besides the AWS APIs: the status document or the console at /, the console's files, its read-only views and its event stream.</summary>
public sealed class ConsoleEndpointTests(ConsoleEndpointTests.Server server) : IClassFixture<ConsoleEndpointTests.Server>
{
    public sealed class Server : ConsoleServer;

    [Fact]
    public async Task Root_gives_scripts_the_status_document_and_browsers_the_console()
    {
        using var script = await server.GetAsync("/");
        Assert.Equal(HttpStatusCode.OK, script.StatusCode);
        using var status = JsonDocument.Parse(await script.Content.ReadAsStringAsync());
        Assert.Equal("/console/", status.RootElement.GetProperty("console").GetString());
        Assert.Equal("/metrics", status.RootElement.GetProperty("metrics").GetString());

        using var browser = await server.GetAsync("/", "text/html,application/xhtml+xml,*/*;q=0.8");
        Assert.Equal(HttpStatusCode.Found, browser.StatusCode);
        Assert.Equal("/console/", browser.Headers.Location?.OriginalString);
    }

    [Fact]
    public async Task Console_pages_are_served_with_validators_and_a_strict_policy()
    {
        using var bare = await server.GetAsync("/console");
        Assert.Equal(HttpStatusCode.Found, bare.StatusCode);
        Assert.Equal("/console/", bare.Headers.Location?.OriginalString);

        using var index = await server.GetAsync("/console/");
        Assert.Equal(HttpStatusCode.OK, index.StatusCode);
        Assert.Equal("text/html", index.Content.Headers.ContentType?.MediaType);
        Assert.Contains("js/main.js", await index.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Contains("script-src 'self'", index.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);

        using var script = await server.GetAsync("/console/js/main.js");
        Assert.Equal("text/javascript", script.Content.Headers.ContentType?.MediaType);
        var etag = script.Headers.ETag!;
        using var again = new HttpRequestMessage(HttpMethod.Get, "/console/js/main.js");
        again.Headers.IfNoneMatch.Add(etag);
        using var notModified = await server.Http.SendAsync(again);
        Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);

        using var missing = await server.GetAsync("/console/js/nothing.js");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        using var traversal = await server.GetAsync("/console/../portolan.db");
        Assert.NotEqual(HttpStatusCode.OK, traversal.StatusCode);
    }

    [Fact]
    public async Task Dns_records_view_shows_what_dig_gets()
    {
        var op = await server.Sd("create-private-dns-namespace", "--name", "view.test", "--vpc", "vpc-1");
        var namespaceId = (await server.Sd("get-operation", "--operation-id", op!.Value.GetProperty("OperationId").GetString()!))!.Value
            .GetProperty("Operation").GetProperty("Targets").GetProperty("NAMESPACE").GetString()!;
        var serviceId = (await server.Sd("create-service", "--name", "api", "--namespace-id", namespaceId,
            "--dns-config", "RoutingPolicy=WEIGHTED,DnsRecords=[{Type=A,TTL=45},{Type=SRV,TTL=45}]"))!.Value.GetProperty("Service").GetProperty("Id").GetString()!;
        await server.Sd("register-instance", "--service-id", serviceId, "--instance-id", "a-1", "--attributes", "AWS_INSTANCE_IPV4=127.0.0.31,AWS_INSTANCE_PORT=9000");

        using var view = JsonDocument.Parse(await server.Http.GetStringAsync($"/console/api/dns-records?service={serviceId}"));
        var dns = view.RootElement.GetProperty("dns");
        Assert.True(view.RootElement.GetProperty("dnsServed").GetBoolean());
        Assert.Equal("api.view.test.", dns.GetProperty("name").GetString());
        Assert.Equal("WEIGHTED", dns.GetProperty("routingPolicy").GetString());
        Assert.Equal(1, dns.GetProperty("answerLimit").GetInt32());
        var records = dns.GetProperty("records").EnumerateArray().Select(r => $"{r.GetProperty("name").GetString()} {r.GetProperty("ttl").GetInt32()} {r.GetProperty("type").GetString()} {r.GetProperty("data").GetString()}").ToList();
        Assert.Equal(["api.view.test. 45 A 127.0.0.31", "api.view.test. 45 SRV 1 1 9000 a-1.api.view.test.", "a-1.api.view.test. 45 A 127.0.0.31"], records);

        Assert.Equal(["127.0.0.31"], (await Dig.QueryAsync(server.DnsPort, "api.view.test", "A")).Answers);
        Assert.Equal(["1 1 9000 a-1.api.view.test."], (await Dig.QueryAsync(server.DnsPort, "api.view.test", "SRV")).Answers.Where(a => a.StartsWith("1 ", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Dns_records_view_rejects_what_it_cannot_answer()
    {
        using var noService = await server.GetAsync("/console/api/dns-records");
        Assert.Equal(HttpStatusCode.BadRequest, noService.StatusCode);
        Assert.Equal("InvalidInput", JsonDocument.Parse(await noService.Content.ReadAsStringAsync()).RootElement.GetProperty("code").GetString());

        using var unknown = await server.GetAsync("/console/api/dns-records?service=srv-nope");
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal("ServiceNotFound", JsonDocument.Parse(await unknown.Content.ReadAsStringAsync()).RootElement.GetProperty("code").GetString());

        using var noView = await server.GetAsync("/console/api/nothing");
        Assert.Equal(HttpStatusCode.NotFound, noView.StatusCode);
    }

    [Fact]
    public async Task Event_stream_sends_the_revision_then_each_change()
    {
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        using var response = await server.Http.GetAsync("/console/api/events", HttpCompletionOption.ResponseHeadersRead, cancel.Token);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(cancel.Token));
        var first = await NextEventAsync(reader, cancel.Token);

        await server.Sd("create-http-namespace", "--name", $"events-{Guid.NewGuid():N}"[..20]);
        var next = await NextEventAsync(reader, cancel.Token);

        Assert.True(next.Id > first.Id);
        Assert.Equal(next.Id, JsonDocument.Parse(next.Data).RootElement.GetProperty("revision").GetInt64());
    }

    private static async Task<(long Id, string Data)> NextEventAsync(StreamReader reader, CancellationToken ct)
    {
        long? id = null;
        string? data = null;
        while (await reader.ReadLineAsync(ct) is { } line)
        {
            if (line.StartsWith("id: ", StringComparison.Ordinal)) id = long.Parse(line[4..], System.Globalization.CultureInfo.InvariantCulture);
            else if (line.StartsWith("event: ", StringComparison.Ordinal)) Assert.Equal("event: revision", line);
            else if (line.StartsWith("data: ", StringComparison.Ordinal)) data = line[6..];
            else if (line.Length == 0 && id is not null && data is not null) return (id.Value, data);
        }

        throw new InvalidOperationException("The event stream ended.");
    }
}
