using System.Net;
using System.Text.Json;
using Portolan.Api.Edge;
using Portolan.Api.Tests.Support;

namespace Portolan.Api.Tests;

/// <summary>The JSON 1.1 protocol through the real Kestrel edge (WIRE.md §3), with a fake service behind it.</summary>
public sealed class EdgeJsonTests : IAsyncLifetime
{
    private readonly FakeAwsService _service = new();
    private readonly FakeAwsService _lowercase = new() { SigningName = "ecs", JsonTargetPrefix = "FakeEcs_v1", JsonErrorMessageMember = "message" };
    private EdgeHost _edge = null!;

    public async Task InitializeAsync() => _edge = await EdgeHost.StartAsync([_service, _lowercase]);

    public async Task DisposeAsync() => await _edge.DisposeAsync();

    [Fact]
    public async Task Success_returns_the_service_output_as_amz_json()
    {
        _service.Handler = (call, _) =>
        {
            FakeAwsService.Write(call, """{"Namespaces":[]}""");
            return ValueTask.CompletedTask;
        };

        using var response = await _edge.PostJsonAsync($"{FakeAwsService.JsonPrefix}.ListNamespaces", """{"MaxResults": 5}""");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/x-amz-json-1.1", response.Content.Headers.ContentType?.ToString());
        Assert.Equal("""{"Namespaces":[]}""", await response.Content.ReadAsStringAsync());
        var requestId = Assert.Single(response.Headers.GetValues("x-amzn-RequestId"));
        Assert.True(Guid.TryParse(requestId, out _));
        var call = _service.LastCall!;
        Assert.Equal("ListNamespaces", call.Operation);
        Assert.Equal(AwsProtocol.Json, call.Protocol);
        Assert.Equal("""{"MaxResults": 5}""", call.Body);
        Assert.Equal(requestId, call.RequestId);
        Assert.Empty(call.Form);
    }

    [Fact]
    public async Task Nothing_written_is_an_empty_object_and_an_empty_body_is_one_too()
    {
        using var response = await _edge.PostJsonAsync($"{FakeAwsService.JsonPrefix}.DeleteService", "");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("{}", await response.Content.ReadAsStringAsync());
        Assert.Equal("{}", _service.LastCall!.Body);
    }

    [Fact]
    public async Task Every_request_gets_its_own_request_id()
    {
        using var first = await _edge.PostJsonAsync($"{FakeAwsService.JsonPrefix}.A", "{}");
        using var second = await _edge.PostJsonAsync($"{FakeAwsService.JsonPrefix}.A", "{}");

        Assert.NotEqual(first.Headers.GetValues("x-amzn-RequestId").Single(), second.Headers.GetValues("x-amzn-RequestId").Single());
    }

    [Fact]
    public async Task Service_error_is_rendered_with_its_code_status_and_fields()
    {
        _service.Handler = (_, _) => throw new AwsServiceException("DuplicateRequest", "Operation op-1 is a duplicate.", 400,
            new Dictionary<string, string> { ["DuplicateOperationId"] = "op-1" });

        using var response = await _edge.PostJsonAsync($"{FakeAwsService.JsonPrefix}.CreateService", "{}");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("DuplicateRequest", response.Headers.GetValues("x-amzn-ErrorType").Single());
        Assert.Equal("application/x-amz-json-1.1", response.Content.Headers.ContentType?.ToString());
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("DuplicateRequest", json.RootElement.GetProperty("__type").GetString());
        Assert.Equal("Operation op-1 is a duplicate.", json.RootElement.GetProperty("Message").GetString());
        Assert.Equal("op-1", json.RootElement.GetProperty("DuplicateOperationId").GetString());
    }

    [Fact]
    public async Task Error_message_member_is_the_services_own()
    {
        _lowercase.Handler = (_, _) => throw new AwsServiceException("ClusterNotFoundException", "Cluster not found.");

        using var response = await _edge.PostJsonAsync("FakeEcs_v1.DescribeServices", "{}");

        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("Cluster not found.", json.RootElement.GetProperty("message").GetString());
        Assert.False(json.RootElement.TryGetProperty("Message", out _));
    }

    [Fact]
    public async Task Unexpected_exception_is_an_internal_failure_without_details()
    {
        _service.Handler = (_, _) => throw new InvalidOperationException("secret table name in /var/lib/x");

        using var response = await _edge.PostJsonAsync($"{FakeAwsService.JsonPrefix}.ListServices", "{}");

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        var body = await response.Content.ReadAsStringAsync();
        using var json = JsonDocument.Parse(body);
        Assert.Equal("InternalFailure", json.RootElement.GetProperty("__type").GetString());
        Assert.DoesNotContain("secret", body, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", body, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("NoSuchService_v1.ListNamespaces")]
    [InlineData("NoDotAtAll")]
    [InlineData(".ListNamespaces")]
    [InlineData(FakeAwsService.JsonPrefix + ".")]
    [InlineData(FakeAwsService.JsonPrefix + ".List<Namespaces>")]
    public async Task Unknown_target_is_an_unknown_operation(string target)
    {
        using var response = await _edge.PostJsonAsync(target, "{}");

        await AssertJsonError(response, HttpStatusCode.BadRequest, "UnknownOperationException");
    }

    [Fact]
    public async Task Json_without_a_target_is_an_unknown_operation_in_json()
    {
        using var response = await _edge.PostJsonAsync(null, "{}");

        await AssertJsonError(response, HttpStatusCode.BadRequest, "UnknownOperationException");
    }

    [Fact]
    public async Task Unknown_operation_thrown_by_the_service_keeps_its_code()
    {
        _service.Handler = (call, _) => throw AwsServiceException.UnknownOperation(call.Operation);

        using var response = await _edge.PostJsonAsync($"{FakeAwsService.JsonPrefix}.Frobnicate", "{}");

        await AssertJsonError(response, HttpStatusCode.BadRequest, "UnknownOperationException");
    }

    [Theory]
    [InlineData("{")]
    [InlineData("{\"a\": }")]
    [InlineData("not json")]
    [InlineData("{} {}")]
    [InlineData("[]")]
    [InlineData("\"text\"")]
    [InlineData("42")]
    public async Task Body_that_is_not_a_json_object_is_a_serialization_error(string body)
    {
        using var response = await _edge.PostJsonAsync($"{FakeAwsService.JsonPrefix}.ListNamespaces", body);

        await AssertJsonError(response, HttpStatusCode.BadRequest, "SerializationException");
        Assert.Null(_service.LastCall);
    }

    [Fact]
    public async Task Host_header_plays_no_part_in_routing()
    {
        // DiscoverInstances arrives for data-<endpoint host> (WIRE.md §4).
        using var request = new HttpRequestMessage(HttpMethod.Post, "/some/path")
        {
            Content = new StringContent("{}", null, "application/x-amz-json-1.1"),
        };
        request.Headers.Host = "data-portolan.localhost:4599";
        request.Headers.TryAddWithoutValidation("X-Amz-Target", $"{FakeAwsService.JsonPrefix}.DiscoverInstances");

        using var response = await _edge.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("DiscoverInstances", _service.LastCall!.Operation);
    }

    [Fact]
    public async Task Absolute_form_request_line_is_served()
    {
        // What the CLI sends with HTTP_PROXY pointing at the edge (requests/sd-discover-instances.http).
        var request = """
            POST http://data-127.0.0.1:4599/ HTTP/1.1
            Host: data-127.0.0.1:4599
            X-Amz-Target: FakeJson_v20240101.DiscoverInstances
            Content-Type: application/x-amz-json-1.1
            Content-Length: 2

            {}
            """.ReplaceLineEndings("\r\n");

        var response = await RawHttp.SendAsync(_edge.ApiUri, System.Text.Encoding.ASCII.GetBytes(request));

        Assert.Equal(200, response.Status);
        Assert.Equal("{}", response.Body);
        Assert.Equal("DiscoverInstances", _service.LastCall!.Operation);
    }

    [Fact]
    public async Task Ipv6_loopback_serves_the_same_edge()
    {
        if (!System.Net.Sockets.Socket.OSSupportsIPv6)
        {
            return; // The host then binds IPv4 only, with a warning; nothing to check here.
        }

        var v6 = _edge.Host.ApiEndpoints.Single(u => u.HostNameType == UriHostNameType.IPv6);
        Assert.Equal(_edge.ApiUri.Port, v6.Port);
        using var client = new HttpClient { BaseAddress = v6 };
        using var content = new StringContent("{}", null, "application/x-amz-json-1.1");
        content.Headers.Add("X-Amz-Target-Ignored", "x");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/") { Content = content };
        request.Headers.TryAddWithoutValidation("X-Amz-Target", $"{FakeAwsService.JsonPrefix}.ListNamespaces");

        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    internal static async Task<JsonElement> AssertJsonError(HttpResponseMessage response, HttpStatusCode status, string code)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(status == response.StatusCode, $"expected {status}, got {response.StatusCode}: {body}");
        Assert.Equal("application/x-amz-json-1.1", response.Content.Headers.ContentType?.ToString());
        Assert.Equal(code, response.Headers.GetValues("x-amzn-ErrorType").Single());
        Assert.Single(response.Headers.GetValues("x-amzn-RequestId"));
        using var json = JsonDocument.Parse(body);
        Assert.Equal(code, json.RootElement.GetProperty("__type").GetString());
        Assert.False(string.IsNullOrEmpty(json.RootElement.GetProperty("Message").GetString()));
        return json.RootElement.Clone();
    }
}
