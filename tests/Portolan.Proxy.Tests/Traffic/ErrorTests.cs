using System.Net;
using System.Net.Sockets;
using System.Text;
using Portolan.Proxy.Configuration;
using Portolan.Proxy.Tests.Support;
using Portolan.Testing;

namespace Portolan.Proxy.Tests.Traffic;

/// <summary>The errors ALB makes itself, and the limits that protect the proxy from clients.</summary>
public sealed class ErrorTests : IAsyncLifetime
{
    private ProxyHost _proxy = null!;
    private Backend _backend = null!;

    public async Task InitializeAsync()
    {
        _backend = await Backend.StartAsync("ok");
        _proxy = await ProxyHost.StartAsync(o => o.RequestHeadersTimeout = TimeSpan.FromSeconds(1));
        var refused = FreePorts.Next();
        await _proxy.ApplyAsync(
            [
                ProxyHost.Group("tg-ok", _backend),
                ProxyHost.Group("tg-empty"),
                ProxyHost.Group("tg-refused") with { Targets = [new TargetConfig { Host = "127.0.0.1", Port = refused }] },
            ],
            ProxyHost.Listener("ok", "tg-ok") with { IdleTimeout = TimeSpan.FromSeconds(1) },
            ProxyHost.Listener("empty", "tg-empty"),
            ProxyHost.Listener("refused", "tg-refused"),
            ProxyHost.Listener("gone", "tg-deleted"));
    }

    public async Task DisposeAsync()
    {
        await _proxy.DisposeAsync();
        await _backend.DisposeAsync();
    }


    [Theory]
    [InlineData("empty", HttpStatusCode.ServiceUnavailable, "503 Service Temporarily Unavailable")]
    [InlineData("gone", HttpStatusCode.ServiceUnavailable, "503 Service Temporarily Unavailable")]
    [InlineData("refused", HttpStatusCode.BadGateway, "502 Bad Gateway")]
    public async Task LoadBalancerErrors_AsAlbGivesThem(string listener, HttpStatusCode status, string title)
    {
        foreach (var client in new[] { Clients.Http1(), Clients.H2c() })
        {
            using var _ = client;
            using var response = await client.GetAsync(_proxy.Url(listener));
            Assert.Equal(status, response.StatusCode);
            Assert.Equal("text/html", response.Content.Headers.ContentType!.MediaType);
            Assert.Contains(title, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task SilentTarget_IsA504AfterTheIdleTimeout()
    {
        using var client = Clients.Http1();
        using var response = await client.GetAsync(new Uri(_proxy.Url("ok"), "/slow?ms=20000"));
        Assert.Equal(HttpStatusCode.GatewayTimeout, response.StatusCode);
        Assert.Contains("504 Gateway Time-out", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task OversizedHeaders_Get431_OversizedUrl414()
    {
        using var client = Clients.Http1();
        using var request = new HttpRequestMessage(HttpMethod.Get, _proxy.Url("ok"));
        for (var i = 0; i < 10; i++) request.Headers.Add($"X-Big-{i}", new string('a', 8000));
        using var response = await client.SendAsync(request);
        Assert.Equal(HttpStatusCode.RequestHeaderFieldsTooLarge, response.StatusCode);

        using var longUrl = await client.GetAsync(new Uri(_proxy.Url("ok"), "/" + new string('p', 20_000)));
        Assert.Equal(HttpStatusCode.RequestUriTooLong, longUrl.StatusCode);
    }

    [Theory]
    [InlineData("")]
    [InlineData("GET / HTTP/1.1\r\nHost: a\r\n")]
    [InlineData("PRI * HTTP/2.0\r\n")]
    public async Task SlowClient_IsDisconnected(string partial)
    {
        using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(_proxy.EndPoint("ok"));
        await socket.SendAsync(Encoding.ASCII.GetBytes(partial));
        var buffer = new byte[4096];
        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        int read;
        do
        {
            read = await socket.ReceiveAsync(buffer, bound.Token); // the server gives up on us and closes
        }
        while (read > 0);
        Assert.Equal(0, read);
    }

    [Fact]
    public async Task Garbage_IsA400_AndTheServerStaysUp()
    {
        using (var socket = new Socket(SocketType.Stream, ProtocolType.Tcp))
        {
            await socket.ConnectAsync(_proxy.EndPoint("ok"));
            await socket.SendAsync("\x01\x02 nonsense \r\n\r\n"u8.ToArray());
            var buffer = new byte[4096];
            var n = await socket.ReceiveAsync(buffer);
            Assert.StartsWith("HTTP/1.1 400", Encoding.ASCII.GetString(buffer, 0, n), StringComparison.Ordinal);
        }
        using var client = Clients.Http1();
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(_proxy.Url("ok"))).StatusCode);
    }
}
