using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Portolan.Api.Edge;
using Portolan.Api.Tests.Support;

namespace Portolan.Api.Tests;

/// <summary>The body size cap, in both protocols, with and without Content-Length.</summary>
public sealed class EdgeLimitsTests : IAsyncLifetime
{
    private const int Limit = 256;
    private readonly FakeAwsService _json = new();
    private readonly FakeAwsService _query = FakeAwsService.Query();
    private EdgeHost _edge = null!;

    public async Task InitializeAsync() =>
        _edge = await EdgeHost.StartAsync([_json, _query], configure: s => s.Configure<AwsEdgeOptions>(o => o.MaxBodyBytes = Limit));

    public async Task DisposeAsync() => await _edge.DisposeAsync();

    [Fact]
    public async Task Body_at_the_limit_is_served()
    {
        var body = "{\"a\":\"" + new string('x', Limit - 8) + "\"}";
        Assert.Equal(Limit, body.Length);

        using var response = await _edge.PostJsonAsync($"{FakeAwsService.JsonPrefix}.Op", body);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Json_body_over_the_limit_is_413_in_json()
    {
        using var response = await _edge.PostJsonAsync($"{FakeAwsService.JsonPrefix}.Op", "{\"a\":\"" + new string('x', Limit) + "\"}");

        await EdgeJsonTests.AssertJsonError(response, HttpStatusCode.RequestEntityTooLarge, "RequestEntityTooLarge");
        Assert.Null(_json.LastCall);
    }

    [Fact]
    public async Task Form_body_over_the_limit_is_413_in_xml()
    {
        using var response = await _edge.PostFormAsync($"Action=Op&Version={FakeAwsService.QueryApiVersion}&X=" + new string('x', Limit));

        await EdgeQueryTests.AssertXmlError(response, HttpStatusCode.RequestEntityTooLarge, "RequestEntityTooLarge", "Sender", System.Xml.Linq.XNamespace.None);
    }

    [Fact]
    public async Task Chunked_body_over_the_limit_is_413_too()
    {
        using var content = new StreamContent(new NoLengthStream(new byte[Limit * 4]));
        content.Headers.ContentType = new("application/x-amz-json-1.1");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/") { Content = content };
        request.Headers.TryAddWithoutValidation("X-Amz-Target", $"{FakeAwsService.JsonPrefix}.Op");

        using var response = await _edge.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
    }

    [Fact]
    public async Task Chunked_body_under_the_limit_is_read_whole()
    {
        var body = "{\"chunked\":true}"u8.ToArray();
        using var content = new StreamContent(new NoLengthStream(body));
        content.Headers.ContentType = new("application/x-amz-json-1.1");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/") { Content = content };
        request.Headers.TryAddWithoutValidation("X-Amz-Target", $"{FakeAwsService.JsonPrefix}.Op");

        using var response = await _edge.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("{\"chunked\":true}", _json.LastCall!.Body);
    }

    /// <summary>A stream that hides its length, so HttpClient sends it chunked.</summary>
    private sealed class NoLengthStream(byte[] data) : MemoryStream(data)
    {
        public override bool CanSeek => false;
    }
}
