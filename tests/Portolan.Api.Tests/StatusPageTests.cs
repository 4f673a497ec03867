using System.Net;
using System.Text.Json;
using Portolan.Api.Tests.Support;

namespace Portolan.Api.Tests;

/// <summary>GET / is how scripts wait for readiness.</summary>
public sealed class StatusPageTests : IAsyncLifetime
{
    private EdgeHost _edge = null!;

    public async Task InitializeAsync() => _edge = await EdgeHost.StartAsync([new FakeAwsService { SigningName = "servicediscovery" }]);

    public async Task DisposeAsync() => await _edge.DisposeAsync();

    [Fact]
    public async Task Get_root_describes_the_server()
    {
        using var response = await _edge.Client.GetAsync("/");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var root = json.RootElement;
        Assert.Equal("portolan", root.GetProperty("service").GetString());
        Assert.Equal("us-east-1", root.GetProperty("region").GetString());
        Assert.Equal("000000000000", root.GetProperty("account").GetString());
        Assert.Contains(_edge.ApiUri.GetLeftPart(UriPartial.Authority),
            root.GetProperty("endpoints").GetProperty("api").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(["servicediscovery"], root.GetProperty("services").EnumerateArray().Select(e => e.GetString()));
    }

    [Fact]
    public async Task Head_root_answers_without_a_body()
    {
        using var response = await _edge.Client.SendAsync(new HttpRequestMessage(HttpMethod.Head, "/"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Empty(await response.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task Other_paths_are_not_found()
    {
        using var response = await _edge.Client.GetAsync("/nothing-here");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }
}
