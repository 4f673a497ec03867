using System.Net;
using Microsoft.AspNetCore.Http;
using Portolan.Proxy.Forwarding;
using Portolan.Proxy.Routing;

namespace Portolan.Proxy.Tests.Forwarding;

/// <summary>The Kestrel data plane's request view shows what the <see cref="HttpContext"/> it wraps says.</summary>
public sealed class ProxyHttpContextTests
{
    private static (DefaultHttpContext Http, IProxyRequest View) Create(Action<DefaultHttpContext> setUp)
    {
        var http = new DefaultHttpContext();
        setUp(http);
        return (http, new ProxyHttpContext(http.Features));
    }

    [Theory]
    [InlineData("example.com")]
    [InlineData("Example.com:8080")]
    [InlineData("[::1]:8443")]
    [InlineData("[::1]")]
    [InlineData("::1")]
    [InlineData("fe80::1:80")]
    [InlineData("host:")]
    [InlineData("xn--bcher-kva.example:80")]
    [InlineData("")]
    public void Host_IsHttpContextsHost(string header)
    {
        var (http, view) = Create(h => h.Request.Headers.Host = header);
        Assert.Equal(http.Request.Host.Host ?? "", view.Host.ToString());
    }

    [Fact]
    public void RequestParts_ComeFromTheContext()
    {
        var (_, view) = Create(h =>
        {
            h.Request.Method = "PATCH";
            h.Request.Scheme = "https";
            h.Request.Path = "/a b/c";
            h.Request.QueryString = new QueryString("?x=1&y");
            h.Connection.LocalPort = 8443;
            h.Connection.RemoteIpAddress = IPAddress.Parse("::ffff:10.0.0.1");
            h.Request.Headers.Append("X-Env", "one");
            h.Request.Headers.Append("X-Env", "two");
        });
        Assert.Equal("PATCH", view.Method.ToString());
        Assert.Equal("https", view.Scheme);
        Assert.Equal("/a b/c", view.Path.ToString());
        Assert.Equal("x=1&y", view.Query.ToString());
        Assert.Equal(8443, view.LocalPort);
        Assert.Equal(IPAddress.Parse("::ffff:10.0.0.1"), view.RemoteAddress);
        Assert.True(view.TryGetHeader("x-env", 0, out var first));
        Assert.Equal("one", first.ToString());
        Assert.True(view.TryGetHeader("X-ENV", 1, out var second));
        Assert.Equal("two", second.ToString());
        Assert.False(view.TryGetHeader("X-Env", 2, out _));
        Assert.False(view.TryGetHeader("X-None", 0, out _));
    }

    [Fact]
    public void EmptyPathAndQuery()
    {
        var (_, view) = Create(_ => { });
        Assert.Equal("/", view.Path.ToString());
        Assert.True(view.Query.IsEmpty);
    }

    [Fact]
    public void TraceId_KeepsASingleIncomingRoot_OtherwiseMakesOne()
    {
        var now = new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);
        var (_, kept) = Create(h => h.Request.Headers["X-Amzn-Trace-Id"] = "Root=1-abc-def;Parent=1");
        Assert.Equal("Root=1-abc-def;Parent=1", TraceIds.For(kept, now));

        var (_, twice) = Create(h => h.Request.Headers["X-Amzn-Trace-Id"] = new(["Root=1-a-b", "Root=1-c-d"]));
        Assert.Matches("^Root=1-67748580-[0-9a-f]{24}$", TraceIds.For(twice, now));

        var (_, none) = Create(h => h.Request.Headers["X-Amzn-Trace-Id"] = "Self=1-a-b");
        Assert.Matches("^Root=1-67748580-[0-9a-f]{24}$", TraceIds.For(none, now));
    }

    [Fact]
    public void View_DoesNotAllocate()
    {
        var (_, view) = Create(h =>
        {
            h.Request.Method = "GET";
            h.Request.Headers.Host = "api.example.com:8080";
            h.Request.Path = "/a";
            h.Request.QueryString = new QueryString("?x=1");
            h.Request.Headers.Append("Cookie", "a=b");
            h.Request.Headers.Append("Cookie", "AWSALB=x");
        });
        Assert.Equal("api.example.com", view.Host.ToString());
        var before = GC.GetAllocatedBytesForCurrentThread();
        var length = 0;
        for (var i = 0; i < 1000; i++)
        {
            length += view.Host.Length + view.Path.Length + view.Query.Length + view.Method.Length;
            for (var n = 0; view.TryGetHeader("Cookie", n, out var cookie); n++) length += cookie.Length;
        }
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.Equal(1000 * (15 + 2 + 3 + 3 + 3 + 8), length);
    }
}
