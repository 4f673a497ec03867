using System.Net;
using Portolan.Proxy.Configuration;
using Portolan.Proxy.Routing;
using Portolan.Proxy.Tests.Support;

namespace Portolan.Proxy.Tests.Routing;

/// <summary>Compiled rules matched against a plain <see cref="IProxyRequest"/>: every condition kind, priorities, no allocation.</summary>
public sealed class RouteTableTests
{
    private static readonly RouteTable Table = RouteCompiler.Compile(
        new ListenerConfig
        {
            Id = "listener",
            DefaultAction = new FixedResponseAction(404),
            // Out of order on purpose: priorities decide.
            Rules =
            [
                Rule(50, new SourceIpCondition([IPNetwork.Parse("10.0.0.0/8"), IPNetwork.Parse("192.168.64.0/18"), IPNetwork.Parse("fd00::/8")])),
                Rule(10, new HostHeaderCondition(["*.example.com", "exact.test"]), new PathPatternCondition(["/api/v?/*"])),
                Rule(40, new HttpRequestMethodCondition(["PUT", "PATCH"])),
                Rule(20, new HttpHeaderCondition("X-Env", ["canary", "blue-*"])),
                Rule(30, new QueryStringCondition([new QueryStringPair("version", "v2*"), new QueryStringPair(null, "debug")])),
            ],
        },
        _ => null,
        new Random(1));

    private static RuleConfig Rule(int priority, params RuleCondition[] conditions) =>
        new() { Priority = priority, Conditions = [.. conditions], Action = new FixedResponseAction(200, "text/plain", priority.ToString()) };

    private static int Priority(TestRequest request)
    {
        var action = Table.Match(request, out var priority);
        Assert.Same(priority == 0 ? Table.DefaultAction : action, action);
        return priority;
    }

    [Fact]
    public void HostHeader_WildcardIsCaseInsensitive_AndNeedsTheSubdomain()
    {
        Assert.Equal(10, Priority(new() { Host = "API.Example.COM", Path = "/api/v1/users" }));
        Assert.Equal(10, Priority(new() { Host = "exact.test", Path = "/api/v2/" }));
        Assert.Equal(0, Priority(new() { Host = "example.com", Path = "/api/v1/users" }));
        Assert.Equal(0, Priority(new() { Host = "a.example.com.evil", Path = "/api/v1/users" }));
    }

    [Fact]
    public void PathPattern_IsCaseSensitive_AndAllConditionsOfARuleMustHold()
    {
        Assert.Equal(0, Priority(new() { Host = "a.example.com", Path = "/API/v1/users" }));
        Assert.Equal(0, Priority(new() { Host = "a.example.com", Path = "/api/v10/users" }));
        Assert.Equal(0, Priority(new() { Host = "other.test", Path = "/api/v1/users" }));
    }

    [Fact]
    public void HttpHeader_AnyOfRepeatedLines()
    {
        Assert.Equal(20, Priority(new() { Headers = [("X-Env", "stable"), ("x-env", "CANARY")] }));
        Assert.Equal(20, Priority(new() { Headers = [("x-env", "Blue-7")] }));
        Assert.Equal(0, Priority(new() { Headers = [("X-Env", "stable"), ("X-Other", "canary")] }));
        Assert.Equal(0, Priority(new()));
    }

    [Fact]
    public void QueryString_WithAndWithoutKey()
    {
        Assert.Equal(30, Priority(new() { Query = "a=1&Version=V2.1" }));
        Assert.Equal(30, Priority(new() { Query = "&&x=DEBUG" }));
        Assert.Equal(0, Priority(new() { Query = "version=v3&debug" }));
        Assert.Equal(0, Priority(new() { Query = "a=version%3Dv2" }));
        Assert.Equal(0, Priority(new()));
    }

    [Fact]
    public void Method_IsExact()
    {
        Assert.Equal(40, Priority(new() { Method = "PATCH" }));
        Assert.Equal(0, Priority(new() { Method = "put" }));
        Assert.Equal(0, Priority(new() { Method = "GET" }));
    }

    [Theory]
    [InlineData("10.1.2.3", true)]
    [InlineData("::ffff:10.1.2.3", true)]
    [InlineData("::ffff:11.0.0.1", false)]
    [InlineData("192.168.127.255", true)]
    [InlineData("::ffff:192.168.64.0", true)]
    [InlineData("192.168.128.1", false)]
    [InlineData("fd12::1", true)]
    [InlineData("fe80::1", false)]
    [InlineData("::a01:203", false)] // IPv4-compatible, not mapped: an IPv6 address
    public void SourceIp_MapsIPv4MappedPeers(string peer, bool matches) =>
        Assert.Equal(matches ? 50 : 0, Priority(new() { RemoteAddress = IPAddress.Parse(peer) }));

    [Fact]
    public void SourceIp_WithoutPeer_DoesNotMatch() => Assert.Equal(0, Priority(new() { RemoteAddress = null }));

    [Fact]
    public void LowestPriorityWins()
    {
        Assert.Equal(10, Priority(new() { Host = "a.example.com", Path = "/api/v1/", Method = "PUT", RemoteAddress = IPAddress.Parse("10.0.0.1") }));
        Assert.Equal(40, Priority(new() { Method = "PUT", RemoteAddress = IPAddress.Parse("::ffff:10.0.0.1") }));
    }

    [Fact]
    public void Match_DoesNotAllocate()
    {
        TestRequest[] requests =
        [
            new() { Host = "api.example.com:8080", Path = "/api/v1/users" },
            new() { Headers = [("X-Env", "stable"), ("X-Env", "canary")] },
            new() { Query = "a=1&version=v2" },
            new() { Query = "flag=debug" },
            new() { Method = "PATCH" },
            new() { RemoteAddress = IPAddress.Parse("::ffff:10.1.2.3") },
            new() { RemoteAddress = IPAddress.Parse("fd00::1") },
            new() { Host = "nothing.test", Path = "/none", Query = "x=y", Headers = [("X-Env", "prod")], RemoteAddress = IPAddress.Parse("::ffff:172.16.0.1") },
        ];
        var expected = requests.Select(Priority).ToArray();
        Assert.Equal([0, 20, 30, 30, 40, 50, 50, 0], expected); // the host keeps its port here, so rule 10 does not match

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1000; i++)
        {
            foreach (var request in requests) Table.Match(request, out _);
        }
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
