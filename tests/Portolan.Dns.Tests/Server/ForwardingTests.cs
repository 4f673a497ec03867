using System.Net;
using System.Net.Sockets;
using DnsClient;
using Portolan.Cli;
using Portolan.Core.Discovery;
using Portolan.Dns.Tests.Support;

namespace Portolan.Dns.Tests.Server;

/// <summary>
/// Forwarding names outside our zones to upstream resolvers. The upstream is a second Portolan (authoritative
/// for its own namespace), and a silent UDP socket stands in for an upstream that never answers.
/// </summary>
public sealed class ForwardingTests : IAsyncLifetime
{
    private readonly DnsHost _upstream = new();
    private readonly Socket _silent = new(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
    private DnsHost _forwarding = null!;
    private DnsHost _deadOnly = null!;

    public async Task InitializeAsync()
    {
        _silent.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        await _upstream.InitializeAsync();
        var ns = await _upstream.NamespaceAsync("upstream.test");
        var web = await _upstream.ServiceAsync(ns, "web", RoutingPolicy.Multivalue, false, (RecordType.A, 60), (RecordType.Srv, 60));
        await _upstream.RegisterAsync(web, "i-1", (ReservedAttributes.InstanceIpv4, "10.7.7.7"), (ReservedAttributes.InstancePort, "80"));
        var big = await _upstream.ServiceAsync(ns, "a-service-with-quite-a-long-name", RoutingPolicy.Multivalue, false, (RecordType.Srv, 60));
        for (var i = 0; i < 8; i++)
        {
            await _upstream.RegisterAsync(big, $"task-{i:D2}.0123456789abcdef0123456789abcdef",
                (ReservedAttributes.InstanceIpv4, $"10.8.0.{i}"), (ReservedAttributes.InstancePort, "80"));
        }

        // The silent one first: the forwarder must move on to the next upstream.
        _forwarding = new DnsHost(o =>
        {
            o.Forwarders.Add((IPEndPoint)_silent.LocalEndPoint!);
            o.Forwarders.Add(_upstream.EndPoint);
            o.ForwardTimeout = TimeSpan.FromMilliseconds(300);
        });
        await _forwarding.InitializeAsync();
        var own = await _forwarding.NamespaceAsync("own.test");
        var svc = await _forwarding.ServiceAsync(own, "svc", RoutingPolicy.Multivalue, false, (RecordType.A, 60));
        await _forwarding.RegisterAsync(svc, "i-1", (ReservedAttributes.InstanceIpv4, "10.1.1.1"));

        _deadOnly = new DnsHost(o =>
        {
            o.Forwarders.Add((IPEndPoint)_silent.LocalEndPoint!);
            o.ForwardTimeout = TimeSpan.FromMilliseconds(200);
        });
        await _deadOnly.InitializeAsync();
    }

    public async Task DisposeAsync()
    {
        await _deadOnly.DisposeAsync();
        await _forwarding.DisposeAsync();
        await _upstream.DisposeAsync();
        _silent.Dispose();
    }

    [Fact]
    public async Task OutsideNames_AreRelayedOverUdpAndTcp_PastADeadUpstream()
    {
        var udp = await Dig.QueryAsync(_forwarding.Port, "web.upstream.test", "A", "+notcp");
        Assert.Equal("NOERROR", udp.Status);
        Assert.Equal("10.7.7.7", udp.Data("A").Single());
        Assert.Contains("ra", udp.Flags);
        Assert.DoesNotContain("aa", udp.Flags);

        var tcp = await _forwarding.Client(tcpOnly: true).QueryAsync("web.upstream.test", QueryType.SRV);
        Assert.Equal("1 1 80 i-1.web.upstream.test.", tcp.Answers.SrvRecords().Select(s => $"{s.Priority} {s.Weight} {s.Port} {s.Target}").Single());

        var missing = await Dig.QueryAsync(_forwarding.Port, "missing.upstream.test", "A");
        Assert.Equal("NXDOMAIN", missing.Status);
    }

    [Fact]
    public async Task OwnZones_AreStillAnsweredAuthoritatively()
    {
        var own = await Dig.QueryAsync(_forwarding.Port, "svc.own.test", "A");
        Assert.Equal("10.1.1.1", own.Data("A").Single());
        Assert.Contains("aa", own.Flags);
        Assert.Contains("ra", own.Flags);
    }

    [Fact]
    public async Task LargeUpstreamAnswer_TruncatesOverUdpAndComesWholeOverTcp()
    {
        const string name = "a-service-with-quite-a-long-name.upstream.test";
        var truncated = await Dig.QueryAsync(_forwarding.Port, name, "SRV", "+notcp", "+ignore", "+noedns");
        Assert.Contains("tc", truncated.Flags);
        Assert.True(truncated.Size <= 512);

        var retried = await Dig.QueryAsync(_forwarding.Port, name, "SRV", "+noedns");
        Assert.Equal("TCP", retried.Protocol);
        Assert.Equal(8, retried.Data("SRV").Count());
    }

    [Fact]
    public async Task NoUpstreamAnswers_IsServFail()
    {
        var udp = await Dig.QueryAsync(_deadOnly.Port, "example.com", "A", "+notcp", "+tries=1");
        Assert.Equal("SERVFAIL", udp.Status);
        var tcp = await Dig.QueryAsync(_deadOnly.Port, "example.com", "A", "+tcp", "+tries=1");
        Assert.Equal("SERVFAIL", tcp.Status);
    }

    [Fact]
    public void CommandLine_DnsForwardIsRepeatableAndNeedsAPort()
    {
        var serve = Assert.IsType<CliCommand.Serve>(CommandLine.Parse(["serve", "--dns-forward", "1.1.1.1:53", "--dns-forward=[::1]:5353"]));
        Assert.Equal([new HostPort("1.1.1.1", 53), new HostPort("::1", 5353)], serve.Options.DnsForwarders);

        Assert.Empty(Assert.IsType<CliCommand.Serve>(CommandLine.Parse(["serve"])).Options.DnsForwarders);
        Assert.IsType<CliCommand.Invalid>(CommandLine.Parse(["serve", "--dns-forward", "1.1.1.1:0"]));
        Assert.IsType<CliCommand.Invalid>(CommandLine.Parse(["serve", "--dns-forward", "resolver.example:53"]));
    }
}
