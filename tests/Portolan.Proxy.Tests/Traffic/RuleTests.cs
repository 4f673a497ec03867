using System.Net;
using System.Net.Http.Json;
using Portolan.Proxy.Configuration;
using Portolan.Proxy.Tests.Support;

namespace Portolan.Proxy.Tests.Traffic;

/// <summary>Every condition type, priorities, the default action, fixed responses and redirects, over real HTTP.</summary>
public sealed class RuleTests : IAsyncLifetime
{
    private ProxyHost _proxy = null!;
    private readonly Dictionary<string, Backend> _backends = [];
    private HttpClient _client = null!;
    private Uri _base = null!;

    public async Task InitializeAsync()
    {
        foreach (var name in new[] { "default", "path", "host", "header", "query", "method", "source", "low" })
        {
            _backends[name] = await Backend.StartAsync(name);
        }
        _proxy = await ProxyHost.StartAsync();
        RuleConfig Rule(int priority, string group, params RuleCondition[] conditions) =>
            new() { Priority = priority, Conditions = [.. conditions], Action = ForwardAction.To("tg-" + group) };

        var listener = ProxyHost.Listener("rules", "tg-default",
            // Deliberately out of order: priorities decide, not the list.
            Rule(50, "low", new PathPatternCondition(["/both/*"])),
            Rule(10, "path", new PathPatternCondition(["/api/v?/*", "/static/*.css"])),
            Rule(20, "host", new HostHeaderCondition(["*.example.com"])),
            Rule(30, "header", new HttpHeaderCondition("X-Tenant", ["blue", "gr*n"])),
            Rule(40, "query", new QueryStringCondition([new QueryStringPair("version", "v2*"), new QueryStringPair(null, "beta")])),
            Rule(45, "method", new HttpRequestMethodCondition(["DELETE", "PATCH"])),
            Rule(47, "source", new SourceIpCondition([IPNetwork.Parse("10.0.0.0/8")]), new PathPatternCondition(["/only-from-10/*"])),
            Rule(46, "source", new SourceIpCondition([IPNetwork.Parse("127.0.0.0/8")]), new PathPatternCondition(["/from-loopback/*"])),
            Rule(5, "path", new PathPatternCondition(["/both/*"]), new HttpHeaderCondition("X-Both", ["yes"])),
            new RuleConfig { Priority = 60, Conditions = [new PathPatternCondition(["/maintenance"])], Action = new FixedResponseAction(503, "application/json", "{\"down\":true}") },
            new RuleConfig { Priority = 61, Conditions = [new PathPatternCondition(["/old/*"])], Action = new RedirectAction { Protocol = "https", Path = "/new/#{path}", StatusCode = 302 } },
            new RuleConfig { Priority = 62, Conditions = [new HostHeaderCondition(["legacy.test"])], Action = new RedirectAction { Host = "modern.test", Port = "8443", Query = "from=#{host}&#{query}" } });
        await _proxy.ApplyAsync([.. _backends.Select(b => ProxyHost.Group("tg-" + b.Key, b.Value))], listener);
        _client = Clients.Http1();
        _base = _proxy.Url("rules");
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _proxy.DisposeAsync();
        foreach (var b in _backends.Values) await b.DisposeAsync();
    }

    private async Task<string?> ServerFor(HttpRequestMessage request)
    {
        using var response = await _client.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<Dictionary<string, string?>>())!["server"];
    }

    private Task<string?> ServerFor(string pathAndQuery, Action<HttpRequestMessage>? setup = null, HttpMethod? method = null)
    {
        var request = new HttpRequestMessage(method ?? HttpMethod.Get, new Uri(_base, pathAndQuery));
        setup?.Invoke(request);
        return ServerFor(request);
    }

    [Theory]
    [InlineData("/nothing/special", "default")]
    [InlineData("/api/v1/users", "path")]
    [InlineData("/api/v12/users", "default")]
    [InlineData("/static/site.css", "path")]
    [InlineData("/STATIC/site.css", "default")]
    [InlineData("/x?version=v2.1", "query")]
    [InlineData("/x?a=1&VERSION=V2", "query")]
    [InlineData("/x?flag=beta", "query")]
    [InlineData("/x?version=v1", "default")]
    [InlineData("/only-from-10/x", "default")]
    [InlineData("/from-loopback/x", "source")]
    [InlineData("/both/x", "low")]
    public async Task Path_And_Query(string pathAndQuery, string expected) =>
        Assert.Equal(expected, await ServerFor(pathAndQuery));

    [Theory]
    [InlineData("shop.example.com", "host")]
    [InlineData("SHOP.Example.COM:8080", "host")]
    [InlineData("example.com", "default")]
    public async Task HostHeader(string host, string expected) =>
        Assert.Equal(expected, await ServerFor("/", r => r.Headers.Host = host));

    [Theory]
    [InlineData("blue", "header")]
    [InlineData("GREEN", "header")]
    [InlineData("red", "default")]
    public async Task HttpHeader(string tenant, string expected) =>
        Assert.Equal(expected, await ServerFor("/", r => r.Headers.Add("X-Tenant", tenant)));

    [Fact]
    public async Task Method_IsExact()
    {
        Assert.Equal("method", await ServerFor("/", method: HttpMethod.Delete));
        Assert.Equal("default", await ServerFor("/", method: HttpMethod.Put));
    }

    [Fact]
    public async Task AllConditionsOfARule_MustHold_LowestPriorityWins()
    {
        Assert.Equal("path", await ServerFor("/both/x", r => r.Headers.Add("X-Both", "yes")));
        Assert.Equal("low", await ServerFor("/both/x", r => r.Headers.Add("X-Both", "no")));
    }

    [Fact]
    public async Task FixedResponse()
    {
        using var response = await _client.GetAsync(new Uri(_base, "/maintenance"));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal("application/json; charset=utf-8", response.Content.Headers.ContentType!.ToString());
        Assert.Equal("{\"down\":true}", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Redirect_FillsPlaceholders()
    {
        using var response = await _client.GetAsync(new Uri(_base, "/old/a/b?x=1"));
        Assert.Equal(HttpStatusCode.Found, response.StatusCode);
        Assert.Equal($"https://127.0.0.1:{_base.Port}/new/old/a/b?x=1", response.Headers.Location!.ToString());

        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(_base, "/p?q=2"));
        request.Headers.Host = "legacy.test";
        using var second = await _client.SendAsync(request);
        Assert.Equal(HttpStatusCode.MovedPermanently, second.StatusCode);
        Assert.Equal("http://modern.test:8443/p?from=legacy.test&q=2", second.Headers.Location!.ToString());
    }
}
