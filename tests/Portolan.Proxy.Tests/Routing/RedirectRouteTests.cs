using Portolan.Proxy.Configuration;
using Portolan.Proxy.Routing;
using Portolan.Proxy.Tests.Support;

namespace Portolan.Proxy.Tests.Routing;

/// <summary>Redirect URLs built from the request view; fixed responses' parts for any writer.</summary>
public sealed class RedirectRouteTests
{
    private static readonly TestRequest Request = new() { Scheme = "http", Host = "shop.example.com", LocalPort = 8080, Path = "/cart/items", Query = "id=7&x=%20" };

    [Fact]
    public void Defaults_KeepEveryPart()
    {
        var route = new RedirectRoute(new RedirectAction());
        Assert.Equal(301, route.StatusCode);
        Assert.Equal("http://shop.example.com:8080/cart/items?id=7&x=%20", route.Location(Request));
    }

    [Fact]
    public void EveryPlaceholder_IsFilledIn()
    {
        var route = new RedirectRoute(new RedirectAction
        {
            Protocol = "#{protocol}",
            Host = "new.#{host}",
            Port = "1#{port}",
            Path = "/v2/#{path}/#{protocol}",
            Query = "from=#{host}:#{port}&#{query}&p=#{path}",
            StatusCode = 302,
        });
        Assert.Equal(302, route.StatusCode);
        Assert.Equal("http://new.shop.example.com:18080/v2/cart/items/http?from=shop.example.com:8080&id=7&x=%20&p=cart/items", route.Location(Request));
    }

    [Theory]
    [InlineData("http", 80, "#{protocol}", "#{port}", "http://h.test/p?q=1")]
    [InlineData("https", 443, "#{protocol}", "#{port}", "https://h.test/p?q=1")]
    [InlineData("http", 80, "HTTPS", "#{port}", "https://h.test:80/p?q=1")] // 80 is not https's default
    [InlineData("http", 80, "HTTPS", "443", "https://h.test/p?q=1")]
    [InlineData("https", 443, "http", "443", "http://h.test:443/p?q=1")]
    [InlineData("http", 8080, "#{protocol}", "80", "http://h.test/p?q=1")]
    public void DefaultPort_IsLeftOut(string scheme, int port, string protocol, string portTemplate, string expected)
    {
        var route = new RedirectRoute(new RedirectAction { Protocol = protocol, Port = portTemplate });
        Assert.Equal(expected, route.Location(new TestRequest { Scheme = scheme, LocalPort = port, Host = "h.test", Path = "/p", Query = "q=1" }));
    }

    [Fact]
    public void EmptyQuery_DropsTheQuestionMark_AndPathGetsItsSlash()
    {
        var route = new RedirectRoute(new RedirectAction { Path = "#{path}", Query = "#{query}" });
        Assert.Equal("http://h.test/", route.Location(new TestRequest { Host = "h.test", Path = "/" }));
        Assert.Equal("http://h.test/a", route.Location(new TestRequest { Host = "h.test", Path = "/a" }));
    }

    [Fact]
    public void FilledInValues_AreNotFilledAgain()
    {
        var route = new RedirectRoute(new RedirectAction { Query = "#{query}" });
        Assert.Equal("http://h.test/#{query}?a=1", route.Location(new TestRequest { Host = "h.test", Path = "/#{query}", Query = "a=1" }));
        Assert.Equal("http://h.test/#{other}", route.Location(new TestRequest { Host = "h.test", Path = "/#{other}" }));
    }

    [Fact]
    public void FixedResponse_ExposesWhatItSends()
    {
        var route = new FixedResponseRoute(new FixedResponseAction(503, "application/json", "{\"down\":\"é\"}"));
        Assert.Equal(503, route.StatusCode);
        Assert.Equal("application/json; charset=utf-8", route.ContentType);
        Assert.Equal("{\"down\":\"é\"}"u8.ToArray(), route.Body.ToArray());

        var bare = new FixedResponseRoute(new FixedResponseAction(204));
        Assert.Null(bare.ContentType);
        Assert.True(bare.Body.IsEmpty);
    }
}
