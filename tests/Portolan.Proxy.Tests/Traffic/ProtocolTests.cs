using System.Net;
using System.Net.Http.Json;
using Portolan.Proxy.Configuration;
using Portolan.Proxy.Tests.Support;

namespace Portolan.Proxy.Tests.Traffic;

/// <summary>HTTP/1.1 and h2c on one cleartext port, forwarded with each target group's protocol version.</summary>
public sealed class ProtocolTests : IAsyncLifetime
{
    private ProxyHost _proxy = null!;
    private Backend _h1 = null!;
    private Backend _h2 = null!;

    public async Task InitializeAsync()
    {
        _h1 = await Backend.StartAsync("h1");
        _h2 = await Backend.StartAsync("h2", http2: true);
        _proxy = await ProxyHost.StartAsync();
        await _proxy.ApplyAsync(
            [ProxyHost.Group("tg-h1", _h1), ProxyHost.Group("tg-h2", _h2) with { ProtocolVersion = TargetProtocolVersion.Http2 }],
            ProxyHost.Listener("to-h1", "tg-h1"),
            ProxyHost.Listener("to-h2", "tg-h2"));
    }

    public async Task DisposeAsync()
    {
        await _proxy.DisposeAsync();
        await _h1.DisposeAsync();
        await _h2.DisposeAsync();
    }

    [Theory]
    [InlineData("1.1", "to-h1", "HTTP/1.1")]
    [InlineData("2.0", "to-h1", "HTTP/1.1")]
    [InlineData("1.1", "to-h2", "HTTP/2")]
    [InlineData("2.0", "to-h2", "HTTP/2")]
    public async Task Listener_SpeaksBothProtocolsOnOnePort_TargetGetsItsGroupsVersion(string clientVersion, string listener, string targetProtocol)
    {
        using var client = clientVersion == "2.0" ? Clients.H2c() : Clients.Http1();
        using var response = await client.GetAsync(new Uri(_proxy.Url(listener), "/hello?x=1"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(clientVersion, response.Version.ToString());
        var seen = (await response.Content.ReadFromJsonAsync<Dictionary<string, string?>>())!;
        Assert.Equal(targetProtocol, seen["protocol"]);
        Assert.Equal("/hello", seen["path"]);
        Assert.Equal("?x=1", seen["query"]);
    }

    [Fact]
    public async Task Forward_AddsAlbHeaders_KeepsHost()
    {
        using var client = Clients.Http1();
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(_proxy.Url("to-h1"), "/headers"));
        request.Headers.Host = "app.example.com";
        request.Headers.Add("X-Forwarded-For", "203.0.113.9");
        using var response = await client.SendAsync(request);

        var seen = (await response.Content.ReadFromJsonAsync<Dictionary<string, string?>>())!;
        Assert.Equal("app.example.com", seen["host"]);
        Assert.Equal("203.0.113.9, 127.0.0.1", seen["xff"]);
        Assert.Equal("http", seen["xfproto"]);
        Assert.Equal(_proxy.EndPoint("to-h1").Port.ToString(System.Globalization.CultureInfo.InvariantCulture), seen["xfport"]);
        Assert.Matches("^Root=1-[0-9a-f]{8}-[0-9a-f]{24}$", seen["trace"]);
    }

    [Fact]
    public async Task Forward_LargeBody_ArrivesWhole()
    {
        using var client = Clients.H2c();
        var body = new byte[3 * 1024 * 1024 + 17];
        Random.Shared.NextBytes(body);
        using var response = await client.PostAsync(new Uri(_proxy.Url("to-h1"), "/upload"), new ByteArrayContent(body));
        Assert.Equal($"h1:{body.Length}", await response.Content.ReadAsStringAsync());
    }
}
