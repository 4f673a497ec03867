using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using Grpc.Net.Client;
using Portolan.Core.LoadBalancing;
using Portolan.Core.LoadBalancing.Validation;
using Portolan.Proxy.Tests.Grpc;
using Portolan.Proxy.Tests.Support;

namespace Portolan.Proxy.Tests.FromRegistry;

/// <summary>
/// The data plane fed from the registry, end to end: load balancers, target groups, listeners, rules and targets
/// are created through <see cref="LoadBalancingRegistry"/> (what the ELBv2 API does), and real clients go through
/// the ports the listeners bind. One server for the class; each test makes its own load balancer.
/// </summary>
public sealed class RegistryTrafficTests(RegistryTrafficTests.Server server) : IClassFixture<RegistryTrafficTests.Server>
{
    public sealed class Server : IAsyncLifetime
    {
        public RegistryProxyHost Host { get; private set; } = null!;
        public Backend A { get; private set; } = null!;
        public Backend B { get; private set; } = null!;
        public Backend Grpc { get; private set; } = null!;

        public async Task InitializeAsync()
        {
            A = await Backend.StartAsync("a");
            B = await Backend.StartAsync("b");
            Grpc = await Backend.StartAsync("grpc", http2: true);
            Host = await RegistryProxyHost.StartAsync();
        }

        public async Task DisposeAsync()
        {
            await Host.DisposeAsync();
            await A.DisposeAsync();
            await B.DisposeAsync();
            await Grpc.DisposeAsync();
        }
    }

    private RegistryProxyHost Host => server.Host;

    [Fact]
    public async Task NewListener_ServesHttp1AndH2c_BeforeAnyHealthVerdict()
    {
        var lb = await Host.LoadBalancerAsync("serve");
        var tg = await Host.TargetGroupAsync("serve-tg", server.A.Port, type: TargetType.Instance);
        var listener = await Host.ListenerAsync(lb, tg.Arn);
        await Host.Registry.RegisterTargetsAsync(tg.Arn, [new TargetDescription("i-0123456789abcdef0")]);
        await Host.SyncAsync();

        // No health engine has spoken: the target is `initial`, the group fails open, traffic flows.
        var group = Host.State.FindTargetGroup(tg.Arn)!;
        Assert.Equal(TargetHealthState.Initial, group.HealthOf(group.Targets.Values.Single()).State);

        var url = Host.Url(listener.Arn);
        using var http1 = Clients.Http1();
        var seen = await http1.GetFromJsonAsync<Dictionary<string, string?>>(new Uri(url, "/hello?x=1"));
        Assert.Equal("a", seen!["server"]);
        Assert.Equal("/hello", seen["path"]);
        Assert.Equal("?x=1", seen["query"]);
        Assert.Equal(url.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), seen["xfport"]);
        Assert.Equal("127.0.0.1", seen["xff"]);

        using var h2c = Clients.H2c();
        using var response = await h2c.GetAsync(url);
        Assert.Equal(HttpVersion.Version20, response.Version);
        Assert.Equal("HTTP/1.1", (await response.Content.ReadFromJsonAsync<Dictionary<string, string?>>())!["protocol"]); // an HTTP1 group
    }

    [Fact]
    public async Task HealthVerdicts_DecideWhichTargetsGetTraffic()
    {
        var lb = await Host.LoadBalancerAsync("health");
        var tg = await Host.TargetGroupAsync("health-tg", 80);
        var listener = await Host.ListenerAsync(lb, tg.Arn);
        await Host.RegisterAsync(tg, server.A, server.B);

        await Host.SetHealthAsync(tg, server.A, TargetHealthState.Healthy);
        Assert.Equal(["a"], await ServersAsync(listener, 6)); // b is still initial: it waits for its first passed check

        await Host.SetHealthAsync(tg, server.B, TargetHealthState.Healthy);
        Assert.Equal(["a", "b"], await ServersAsync(listener, 6));

        await Host.SetHealthAsync(tg, server.A, TargetHealthState.Unhealthy);
        Assert.Equal(["b"], await ServersAsync(listener, 6));

        // Fewer healthy targets than the group's minimum: fail open to all of them.
        await Host.Registry.ModifyTargetGroupAttributesAsync(tg.Arn, [new(TargetGroupAttributes.UnhealthyRoutingMinimumCount, "2")]);
        Assert.Equal(["a", "b"], await ServersAsync(listener, 6));
        await Host.Registry.ModifyTargetGroupAttributesAsync(tg.Arn, [new(TargetGroupAttributes.UnhealthyRoutingMinimumCount, "1")]);
        Assert.Equal(["b"], await ServersAsync(listener, 6));

        await Host.SetHealthAsync(tg, server.B, TargetHealthState.Unhealthy);
        Assert.Equal(["a", "b"], await ServersAsync(listener, 6)); // none healthy: ALB fails open
    }

    [Fact]
    public async Task Rules_RouteByPriority_AndFollowEveryChange()
    {
        var lb = await Host.LoadBalancerAsync("rules");
        var tgA = await Host.TargetGroupAsync("rules-a", server.A.Port);
        var tgB = await Host.TargetGroupAsync("rules-b", server.B.Port);
        var listener = await Host.ListenerAsync(lb, tgA.Arn);
        await Host.Registry.RegisterTargetsAsync(tgA.Arn, [new TargetDescription("127.0.0.1")]);
        await Host.Registry.RegisterTargetsAsync(tgB.Arn, [new TargetDescription("127.0.0.1")]);
        var toB = await Host.Registry.CreateRuleAsync(new CreateRuleCommand
        {
            ListenerArn = listener.Arn, Priority = 10,
            Conditions = [RegistryProxyHost.Condition(ConditionField.PathPattern, "/b/*")],
            Actions = [RegistryProxyHost.Forward(tgB.Arn)],
        });
        var teapot = await Host.Registry.CreateRuleAsync(new CreateRuleCommand
        {
            ListenerArn = listener.Arn, Priority = 5,
            Conditions = [new() { Field = ConditionField.HttpHeader, HttpHeaderName = "X-Teapot", Values = ["y*"] }],
            Actions = [RegistryProxyHost.Fixed(418, "short and stout")],
        });
        await Host.SyncAsync();

        using var client = Clients.Http1();
        var url = Host.Url(listener.Arn);
        Assert.Equal("a", await ServerAsync(client, new Uri(url, "/x")));
        Assert.Equal("b", await ServerAsync(client, new Uri(url, "/b/x")));
        using (var request = new HttpRequestMessage(HttpMethod.Get, new Uri(url, "/b/x")) { Headers = { { "X-Teapot", "yes" } } })
        using (var response = await client.SendAsync(request))
        {
            Assert.Equal((HttpStatusCode)418, response.StatusCode);
            Assert.Equal("short and stout", await response.Content.ReadAsStringAsync());
        }

        await Host.Registry.ModifyRuleAsync(new ModifyRuleCommand { RuleArn = toB.Arn, Conditions = [RegistryProxyHost.Condition(ConditionField.PathPattern, "/c/*")] });
        await Host.SyncAsync();
        Assert.Equal("a", await ServerAsync(client, new Uri(url, "/b/x")));
        Assert.Equal("b", await ServerAsync(client, new Uri(url, "/c/x")));

        await Host.Registry.DeleteRuleAsync(teapot.Arn);
        await Host.Registry.ModifyListenerAsync(new ModifyListenerCommand
        {
            ListenerArn = listener.Arn, DefaultActions = [RegistryProxyHost.Forward((tgA.Arn, 0), (tgB.Arn, 1))],
        });
        await Host.SyncAsync();
        Assert.Equal(["b"], await ServersAsync(listener, 6)); // weight 0 gets nothing
        await Host.Registry.DeleteRuleAsync(toB.Arn);
        await Host.Registry.ModifyListenerAsync(new ModifyListenerCommand
        {
            ListenerArn = listener.Arn, DefaultActions = [RegistryProxyHost.Forward((tgA.Arn, 1), (tgB.Arn, 0))],
        });
        await Host.SyncAsync();
        Assert.Equal("a", await ServerAsync(client, new Uri(url, "/c/x")));
    }

    [Fact]
    public async Task Deregister_Drains_InFlightFinishes_ThenTheTargetIsGone()
    {
        var lb = await Host.LoadBalancerAsync("drain");
        var tg = await Host.TargetGroupAsync("drain-tg", 80);
        await Host.Registry.ModifyTargetGroupAttributesAsync(tg.Arn, [new(TargetGroupAttributes.DeregistrationDelay, "30")]);
        var listener = await Host.ListenerAsync(lb, tg.Arn);
        await Host.RegisterAsync(tg, server.A);
        await Host.SyncAsync();

        server.A.ResetHold();
        using var client = Clients.Http1();
        var held = client.GetStringAsync(new Uri(Host.Url(listener.Arn), "/hold"));
        await server.A.Held.Task.WaitAsync(TimeSpan.FromSeconds(30));

        await Host.RegisterAsync(tg, server.B);
        await Host.Registry.DeregisterTargetsAsync(tg.Arn, [new TargetDescription("127.0.0.1", server.A.Port)]);
        await Host.SyncAsync();
        var group = Host.State.FindTargetGroup(tg.Arn)!;
        Assert.Equal(TargetHealthState.Draining, group.HealthOf(group.Targets[new TargetKey("127.0.0.1", server.A.Port)]).State);
        Assert.Equal(["b"], await ServersAsync(listener, 6)); // no new requests for the draining target

        server.A.Release.TrySetResult();
        Assert.Equal("a", await held); // the in-flight one finishes

        // At the deregistration deadline the registry drops the target.
        Host.Clock.Advance(TimeSpan.FromSeconds(31));
        await Host.WaitUntilAsync(() => !Host.State.FindTargetGroup(tg.Arn)!.Targets.ContainsKey(new TargetKey("127.0.0.1", server.A.Port)));
        await Host.SyncAsync();
        Assert.DoesNotContain(Host.Source.Current.TargetGroups.Single(g => g.Id == tg.Arn).Targets, t => t.Port == server.A.Port);
        Assert.Equal(["b"], await ServersAsync(listener, 4));
    }

    [Fact]
    public async Task DeletedListener_ClosesItsPort_TheOtherKeepsServing()
    {
        var lb = await Host.LoadBalancerAsync("ports");
        var tg = await Host.TargetGroupAsync("ports-tg", server.A.Port);
        await Host.Registry.RegisterTargetsAsync(tg.Arn, [new TargetDescription("127.0.0.1")]);
        var first = await Host.ListenerAsync(lb, tg.Arn);
        var second = await Host.ListenerAsync(lb, tg.Arn);
        var firstPort = first.Port;

        using var client = Clients.Http1();
        Assert.Equal("a", await ServerAsync(client, Host.Url(first.Arn)));
        Assert.Equal("a", await ServerAsync(client, Host.Url(second.Arn)));

        await Host.Registry.DeleteListenerAsync(first.Arn);
        await Host.SyncAsync();
        Assert.Null(Host.Listeners.FindEndPoint(first.Arn));
        await AssertRefusedAsync(firstPort);
        Assert.Equal("a", await ServerAsync(client, Host.Url(second.Arn)));

        await Host.Registry.DeleteLoadBalancerAsync(lb.Arn);
        await Host.SyncAsync();
        await AssertRefusedAsync(second.Port);
    }

    [Fact]
    public async Task GrpcTargetGroup_CarriesUnaryCalls_OverH2c()
    {
        var lb = await Host.LoadBalancerAsync("grpc");
        var tg = await Host.TargetGroupAsync("grpc-tg", server.Grpc.Port, ProtocolVersion.Grpc);
        var listener = await Host.ListenerAsync(lb, tg.Arn);
        await Host.Registry.RegisterTargetsAsync(tg.Arn, [new TargetDescription("127.0.0.1")]);
        await Host.SyncAsync();

        using var channel = GrpcChannel.ForAddress(Host.Url(listener.Arn));
        var reply = await new Echo.EchoClient(channel).UnaryAsync(new EchoRequest { Message = "through the registry" });
        Assert.Equal("through the registry", reply.Message);
        Assert.Equal("grpc", reply.Server);
    }

    [Fact]
    public async Task PortTakenByAnotherProgram_ImpairsTheLoadBalancer_UntilItIsFree()
    {
        using var squatter = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        squatter.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        squatter.Listen();
        var port = ((IPEndPoint)squatter.LocalEndPoint!).Port;

        var lb = await Host.LoadBalancerAsync("squat");
        var tg = await Host.TargetGroupAsync("squat-tg", server.A.Port);
        await Host.Registry.RegisterTargetsAsync(tg.Arn, [new TargetDescription("127.0.0.1")]);
        var listener = await Host.Registry.CreateListenerAsync(new CreateListenerCommand
        {
            LoadBalancerArn = lb.Arn, Protocol = ElbProtocol.Http, Port = port, DefaultActions = [RegistryProxyHost.Forward(tg.Arn)],
        });

        await Host.WaitUntilAsync(() => Host.State.FindLoadBalancer(lb.Arn)!.Record.State == LoadBalancerStateCode.ActiveImpaired);
        Assert.Contains($"port {port}", Host.State.FindLoadBalancer(lb.Arn)!.Record.StateReason, StringComparison.Ordinal);
        Assert.Null(Host.Listeners.FindEndPoint(listener.Arn));

        squatter.Close(); // the data plane retries on its own
        await Host.WaitUntilAsync(() => Host.State.FindLoadBalancer(lb.Arn)!.Record.State == LoadBalancerStateCode.Active);
        Assert.Null(Host.State.FindLoadBalancer(lb.Arn)!.Record.StateReason);
        using var client = Clients.Http1();
        Assert.Equal("a", await ServerAsync(client, Host.Url(listener.Arn)));
    }

    /// <summary>Which servers answered <paramref name="count"/> requests, sorted and distinct.</summary>
    private async Task<string[]> ServersAsync(ListenerRecord listener, int count)
    {
        await Host.SyncAsync();
        using var client = Clients.Http1();
        var servers = new SortedSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < count; i++) servers.Add(await ServerAsync(client, Host.Url(listener.Arn)));
        return [.. servers];
    }

    private static async Task<string> ServerAsync(HttpClient client, Uri url)
    {
        using var response = await client.GetAsync(url);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<Dictionary<string, string?>>())!["server"]!;
    }

    private static async Task AssertRefusedAsync(int port)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        var e = await Assert.ThrowsAsync<SocketException>(() => socket.ConnectAsync(IPAddress.Loopback, port));
        Assert.Equal(SocketError.ConnectionRefused, e.SocketErrorCode);
    }
}
