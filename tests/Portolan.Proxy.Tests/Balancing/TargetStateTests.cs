using Microsoft.AspNetCore.Http;
using Portolan.Proxy.Balancing;
using Portolan.Proxy.Configuration;

namespace Portolan.Proxy.Tests.Balancing;

/// <summary>A target's destination URIs: what YARP would build, parsed once per path and query.</summary>
public sealed class TargetStateTests
{
    [Fact]
    public void Destination_IsYarpsUri_ReusedForTheSamePathAndQuery()
    {
        var group = new TargetGroupConfig { Id = "tg" };
        using var target = new TargetState(group, new TargetConfig { Host = "127.0.0.1", Port = 9001 }, "cookie", 0);

        var first = target.Destination(new PathString("/a b/ü"), new QueryString("?x=1&y=%20"));
        Assert.Equal("http://127.0.0.1:9001/a%20b/%C3%BC?x=1&y=%20", first.AbsoluteUri);
        Assert.Same(first, target.Destination(new PathString("/a b/ü"), new QueryString("?x=1&y=%20")));
        Assert.NotSame(first, target.Destination(new PathString("/a b/ü"), new QueryString("?x=2")));
        Assert.Equal("http://127.0.0.1:9001/", target.Destination(PathString.Empty, QueryString.Empty).AbsoluteUri);
    }

    [Fact]
    public void Destination_BeyondTheCache_IsStillRight()
    {
        using var target = new TargetState(new TargetGroupConfig { Id = "tg" }, new TargetConfig { Host = "10.0.0.1", Port = 80 }, "cookie", 0);
        for (var i = 0; i < 1000; i++)
        {
            Assert.Equal($"http://10.0.0.1/items/{i}", target.Destination(new PathString($"/items/{i}"), QueryString.Empty).AbsoluteUri);
        }
    }
}
