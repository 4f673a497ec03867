using DnsClient;
using DnsClient.Protocol;
using Portolan.Core.Discovery;
using Portolan.Dns.Tests.Support;

namespace Portolan.Dns.Tests.Server;

/// <summary>
/// The real server on loopback, fed by the real registry, queried with dig (UDP and TCP) and DnsClient.
/// </summary>
[Collection(DnsHostCollection.Name)]
public sealed class DnsServerTests(DnsHost host)
{
    private static (string, string) Ipv4(string ip) => (ReservedAttributes.InstanceIpv4, ip);
    private static (string, string) Ipv6(string ip) => (ReservedAttributes.InstanceIpv6, ip);
    private static (string, string) Port(int port) => (ReservedAttributes.InstancePort, port.ToString(System.Globalization.CultureInfo.InvariantCulture));

    /// <summary>
    /// Namespace <paramref name="ns"/> with "echoservice" (A + SRV, MULTIVALUE, custom health) and instances
    /// echo-1..echo-<paramref name="count"/> at 10.0.0.N, port 80N.
    /// </summary>
    private async Task<string> EchoAsync(string ns, int count, RoutingPolicy policy = RoutingPolicy.Multivalue)
    {
        var nsId = await host.NamespaceAsync(ns, soaTtl: 20);
        var svc = await host.ServiceAsync(nsId, "echoservice", policy, true, (RecordType.A, 60), (RecordType.Srv, 60));
        for (var i = 1; i <= count; i++) await host.RegisterAsync(svc, $"echo-{i}", Ipv4($"10.0.0.{i}"), Port(8000 + i));
        // The zone view follows the snapshot on its own thread (DNS is eventually consistent with the API, as on AWS):
        // wait until it answers with every instance (a MULTIVALUE answer holds 8 at most, a WEIGHTED one 1).
        var expected = policy == RoutingPolicy.Weighted ? 1 : Math.Min(count, 8);
        var client = host.Client();
        await DnsHost.EventuallyAsync(async () => (await client.QueryAsync($"echoservice.{ns}", QueryType.A)).Answers.ARecords().Count() == expected,
            $"{ns} to answer with its instances");
        return svc;
    }

    private Task<Dig.Result> DigAsync(string name, string type, params string[] options) => Dig.QueryAsync(host.Port, name, type, options);

    [Fact]
    public async Task Dig_AOverUdpAndSrvOverTcp_AnswerAuthoritativelyWithGlue()
    {
        await EchoAsync("dig.test", 2);

        var a = await DigAsync("echoservice.dig.test", "A", "+notcp");
        Assert.Equal("NOERROR", a.Status);
        Assert.Contains("aa", a.Flags);
        Assert.Equal("UDP", a.Protocol);
        Assert.Equal(["10.0.0.1", "10.0.0.2"], a.Data("A").Order());
        Assert.All(a.Answer, l => Assert.Equal(60u, l.Ttl));

        var srv = await DigAsync("echoservice.dig.test", "SRV", "+tcp");
        Assert.Equal("TCP", srv.Protocol);
        Assert.Equal(["1 1 8001 echo-1.echoservice.dig.test.", "1 1 8002 echo-2.echoservice.dig.test."], srv.Data("SRV").Order());
        Assert.Equal(["echo-1.echoservice.dig.test. A 10.0.0.1", "echo-2.echoservice.dig.test. A 10.0.0.2"],
            srv.Additional.Select(l => $"{l.Name} {l.Type} {l.Data}").Order());

        var target = await DigAsync("echo-2.echoservice.dig.test", "A");
        Assert.Equal("10.0.0.2", target.Data("A").Single());
    }

    [Fact]
    public async Task Dig_EchoesTheQueryCase()
    {
        await EchoAsync("case.test", 1);
        var reply = await DigAsync("EchoService.CASE.test", "A");
        Assert.Equal("EchoService.CASE.test.", reply.Answer.Single().Name);
    }

    [Fact]
    public async Task DnsClient_AaaaAndCname()
    {
        var nsId = await host.NamespaceAsync("client.test");
        var v6 = await host.ServiceAsync(nsId, "v6", RoutingPolicy.Multivalue, false, (RecordType.Aaaa, 30));
        await host.RegisterAsync(v6, "i-1", Ipv6("2001:db8::1"));
        var alias = await host.ServiceAsync(nsId, "alias", RoutingPolicy.Weighted, false, (RecordType.Cname, 300));
        await host.RegisterAsync(alias, "i-1", (ReservedAttributes.InstanceCname, "backend.example.com"));
        var client = host.Client();

        var aaaa = await client.QueryAsync("v6.client.test", QueryType.AAAA);
        Assert.Equal("2001:db8::1", aaaa.Answers.AaaaRecords().Single().Address.ToString());
        Assert.True(aaaa.Header.HasAuthorityAnswer);

        var cname = await client.QueryAsync("alias.client.test", QueryType.A);
        Assert.Equal("backend.example.com.", cname.Answers.CnameRecords().Single().CanonicalName.Value);
        Assert.Equal(300, cname.Answers.Single().InitialTimeToLive);
    }

    [Fact]
    public async Task Multivalue_CapsAtEightAndPicksAFreshRandomSetPerQuery()
    {
        await EchoAsync("many.test", 12);
        var client = host.Client();
        var seen = new HashSet<string>();
        var sets = new HashSet<string>();
        for (var i = 0; i < 40; i++)
        {
            var answers = (await client.QueryAsync("echoservice.many.test", QueryType.A)).Answers.ARecords().Select(r => r.Address.ToString()).ToList();
            Assert.Equal(8, answers.Count);
            Assert.Equal(8, answers.Distinct().Count());
            seen.UnionWith(answers);
            sets.Add(string.Join(',', answers.Order()));
        }

        Assert.Equal(12, seen.Count);
        Assert.True(sets.Count > 5, $"{sets.Count} distinct sets");

        var srv = await DigAsync("echoservice.many.test", "SRV", "+tcp");
        Assert.Equal(8, srv.Data("SRV").Count());
        Assert.Equal(8, srv.Additional.Count);
    }

    [Fact]
    public async Task Weighted_AnswersOneRecord()
    {
        await EchoAsync("weighted.test", 3, RoutingPolicy.Weighted);
        var client = host.Client();
        var seen = new HashSet<string>();
        for (var i = 0; i < 60; i++)
        {
            seen.Add((await client.QueryAsync("echoservice.weighted.test", QueryType.A)).Answers.ARecords().Single().Address.ToString());
        }

        Assert.Equal(3, seen.Count);
    }

    [Fact]
    public async Task Health_UnhealthyLeaveTheAnswerAllUnhealthyFailOpenAndRecoveryReturns()
    {
        var svc = await EchoAsync("health.test", 2);
        var client = host.Client();
        async Task<string> AnswerAsync() =>
            string.Join(',', (await client.QueryAsync("echoservice.health.test", QueryType.A)).Answers.ARecords().Select(r => r.Address.ToString()).Order());

        Assert.Equal("10.0.0.1,10.0.0.2", await AnswerAsync());

        await host.Registry.UpdateInstanceCustomHealthStatusAsync(svc, "echo-1", HealthStatus.Unhealthy);
        await DnsHost.EventuallyAsync(async () => await AnswerAsync() == "10.0.0.2", "echo-1 leaves the answer");

        // Every instance unhealthy: Route 53 answers with the unhealthy ones (fail open).
        await host.Registry.UpdateInstanceCustomHealthStatusAsync(svc, "echo-2", HealthStatus.Unhealthy);
        await DnsHost.EventuallyAsync(async () => await AnswerAsync() == "10.0.0.1,10.0.0.2", "fail open with both");

        await host.Registry.UpdateInstanceCustomHealthStatusAsync(svc, "echo-1", HealthStatus.Healthy);
        await DnsHost.EventuallyAsync(async () => await AnswerAsync() == "10.0.0.1", "only echo-1 again");
    }

    [Fact]
    public async Task RegistryChanges_AreVisibleInAnswers()
    {
        var svc = await EchoAsync("change.test", 1);
        var client = host.Client();
        async Task<string> AnswerAsync() =>
            string.Join(',', (await client.QueryAsync("echoservice.change.test", QueryType.A)).Answers.ARecords().Select(r => r.Address.ToString()).Order());

        await host.RegisterAsync(svc, "late", Ipv4("10.9.9.9"), Port(9));
        await DnsHost.EventuallyAsync(async () => await AnswerAsync() == "10.0.0.1,10.9.9.9", "a registered instance appears");

        await host.Registry.DeregisterInstanceAsync(svc, "echo-1");
        await DnsHost.EventuallyAsync(async () => await AnswerAsync() == "10.9.9.9", "a deregistered instance disappears");

        await host.Registry.DeregisterInstanceAsync(svc, "late");
        await DnsHost.EventuallyAsync(async () =>
        {
            var r = await client.QueryAsync("echoservice.change.test", QueryType.A);
            return r.Header.ResponseCode == DnsHeaderResponseCode.NoError && r.Answers.Count == 0;
        }, "no instances left: NODATA");
    }

    [Fact]
    public async Task NxDomainAndNoData_CarryTheSoaWithTheNamespaceTtl()
    {
        var nsId = await host.NamespaceAsync("neg.test", soaTtl: 7);
        await host.ServiceAsync(nsId, "empty", RoutingPolicy.Multivalue, false, (RecordType.A, 60));

        var nx = await DigAsync("missing.neg.test", "A");
        Assert.Equal("NXDOMAIN", nx.Status);
        Assert.Contains("aa", nx.Flags);
        var soa = nx.Authority.Single();
        Assert.Equal(("neg.test.", "SOA", 7u), (soa.Name, soa.Type, soa.Ttl));
        Assert.EndsWith(" 7", soa.Data, StringComparison.Ordinal);

        var nodata = await DigAsync("empty.neg.test", "A", "+tcp");
        Assert.Equal("NOERROR", nodata.Status);
        Assert.Empty(nodata.Answer);
        Assert.Equal("SOA", nodata.Authority.Single().Type);

        var apex = await DigAsync("neg.test", "SOA");
        Assert.Equal("portolan.localhost. hostmaster.portolan.localhost.", string.Join(' ', apex.Answer.Single().Data.Split(' ')[..2]));
        Assert.Equal("portolan.localhost.", (await DigAsync("neg.test", "NS")).Data("NS").Single());
    }

    [Fact]
    public async Task OutsideOurZones_IsRefused()
    {
        var reply = await DigAsync("example.com", "A");
        Assert.Equal("REFUSED", reply.Status);
        Assert.DoesNotContain("aa", reply.Flags);
        Assert.DoesNotContain("ra", reply.Flags);

        var client = await host.Client().QueryAsync("www.example.org", QueryType.A);
        Assert.Equal(DnsHeaderResponseCode.Refused, client.Header.ResponseCode);
    }

    [Fact]
    public async Task LargeAnswers_TruncateOverUdpAndComeWholeOverTcp()
    {
        var nsId = await host.NamespaceAsync("a-rather-long-namespace-name.big.test");
        var svc = await host.ServiceAsync(nsId, "a-service-with-a-long-name", RoutingPolicy.Multivalue, false, (RecordType.A, 60), (RecordType.Srv, 60));
        for (var i = 0; i < 8; i++)
        {
            await host.RegisterAsync(svc, $"task-{i:D2}.0123456789abcdef0123456789abcdef", Ipv4($"10.0.1.{i}"), Ipv6($"2001:db8::{i + 1}"), Port(8080));
        }

        const string name = "a-service-with-a-long-name.a-rather-long-namespace-name.big.test";

        // Classic 512-octet UDP without EDNS: TC=1, nothing else (dig +ignore keeps the truncated reply).
        var udp512 = await DigAsync(name, "SRV", "+notcp", "+ignore", "+noedns");
        Assert.Contains("tc", udp512.Flags);
        Assert.Empty(udp512.Answer);
        Assert.True(udp512.Size <= 512);

        // Large EDNS buffer asked for: our 1,232 applies; the answers fit, the glue partly.
        var edns = await DigAsync(name, "SRV", "+notcp", "+ignore", "+bufsize=4096");
        Assert.Equal(1232, edns.EdnsUdp);
        Assert.DoesNotContain("tc", edns.Flags);
        Assert.Equal(8, edns.Data("SRV").Count());
        Assert.True(edns.Size <= 1232);

        // dig retries a truncated UDP reply over TCP, as resolvers do, and gets everything.
        var retried = await DigAsync(name, "SRV", "+noedns");
        Assert.Equal("TCP", retried.Protocol);
        Assert.Equal(8, retried.Data("SRV").Count());
        Assert.Equal(16, retried.Additional.Count);

        var client = await host.Client(tcpFallback: true).QueryAsync(name, QueryType.SRV);
        Assert.Equal(8, client.Answers.SrvRecords().Count());
    }

    [Fact]
    public async Task Any_IsAnsweredMinimally()
    {
        var nsId = await host.NamespaceAsync("any.test");
        var svc = await host.ServiceAsync(nsId, "both", RoutingPolicy.Multivalue, false, (RecordType.A, 60), (RecordType.Aaaa, 60));
        await host.RegisterAsync(svc, "i-1", Ipv4("10.0.0.1"), Ipv6("2001:db8::1"));

        var reply = await DigAsync("both.any.test", "ANY");
        Assert.Equal("NOERROR", reply.Status);
        Assert.Single(reply.Answer.Select(a => a.Type).Distinct());
    }

    [Fact]
    public void StartupReport_PrintsTheBoundDnsEndpoints()
    {
        var output = new StringWriter();
        Portolan.Cli.StartupReport.Write(output, host.Host);
        var text = output.ToString();

        Assert.Contains($"dns: udp://127.0.0.1:{host.Port}\n", text, StringComparison.Ordinal);
        Assert.Contains($"dns: tcp://127.0.0.1:{host.Port}\n", text, StringComparison.Ordinal);
        Assert.Equal(host.Host.DnsUdpEndPoint, host.Host.DnsTcpEndPoint);
        Assert.NotEqual(0, host.Port);
    }
}
