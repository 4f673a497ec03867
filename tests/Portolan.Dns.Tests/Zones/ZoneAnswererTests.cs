using Portolan.Core.Discovery;
using Portolan.Dns.Tests.Support;
using Portolan.Dns.Wire;
using Portolan.Dns.Zones;

namespace Portolan.Dns.Tests.Zones;

/// <summary>Answers from zone views built from hand-made snapshots, through the real pipeline, without sockets.</summary>
public class ZoneAnswererTests
{
    private static (string Key, string Value) Ipv4(string ip) => (ReservedAttributes.InstanceIpv4, ip);
    private static (string Key, string Value) Ipv6(string ip) => (ReservedAttributes.InstanceIpv6, ip);
    private static (string Key, string Value) Port(int port) => (ReservedAttributes.InstancePort, port.ToString(System.Globalization.CultureInfo.InvariantCulture));

    /// <summary>Namespace "domaina" with service "echo" (A, MULTIVALUE, custom health) and <paramref name="count"/> instances.</summary>
    private static (SnapshotBuilder Builder, string Service) Echo(int count, RoutingPolicy policy = RoutingPolicy.Multivalue, bool customHealth = true)
    {
        var b = new SnapshotBuilder();
        var ns = b.Namespace("domaina", soaTtl: 30);
        var svc = b.Service(ns, "echo", policy, customHealth, (RecordType.A, 60));
        for (var i = 1; i <= count; i++) b.Instance(svc, $"i-{i}", customHealth ? HealthStatus.Healthy : null, Ipv4($"10.0.0.{i}"));
        return (b, svc);
    }

    [Fact]
    public void A_Multivalue_AnswersAllHealthyWhenEightOrFewer()
    {
        var r = new Responder(Echo(3).Builder.Build());

        var reply = r.Ask("echo.domaina", DnsType.A);

        Assert.Equal(DnsRCode.NoError, reply.RCode);
        Assert.True(reply.Authoritative);
        Assert.Equal(["10.0.0.1", "10.0.0.2", "10.0.0.3"], reply.Answers.Select(a => a.DataText).Order());
        Assert.All(reply.Answers, a => Assert.Equal(60u, a.Ttl));
        Assert.All(reply.Answers, a => Assert.Equal("echo.domaina.", a.Name));
    }

    [Fact]
    public void A_Multivalue_CapsAtEightDistinctAndVariesAcrossQueries()
    {
        var r = new Responder(Echo(20).Builder.Build());
        var seen = new HashSet<string>();
        var sets = new HashSet<string>();
        for (var i = 0; i < 200; i++)
        {
            var answers = r.Ask("echo.domaina", DnsType.A).Answers.Select(a => a.DataText).ToList();
            Assert.Equal(8, answers.Count);
            Assert.Equal(8, answers.Distinct().Count());
            seen.UnionWith(answers);
            sets.Add(string.Join(',', answers.Order()));
        }

        Assert.Equal(20, seen.Count);
        Assert.True(sets.Count > 50, $"only {sets.Count} distinct subsets in 200 queries");
    }

    [Fact]
    public void A_Multivalue_ShufflesOrderWhenAllFit()
    {
        var r = new Responder(Echo(5).Builder.Build());
        var orders = Enumerable.Range(0, 50).Select(_ => string.Join(',', r.Ask("echo.domaina", DnsType.A).Answers.Select(a => a.DataText))).ToHashSet();
        Assert.True(orders.Count > 5);
    }

    [Fact]
    public void A_Multivalue_LeavesOutUnhealthyInstances()
    {
        var (b, svc) = Echo(4);
        b.Health(svc, "i-2", HealthStatus.Unhealthy).Health(svc, "i-4", HealthStatus.Unhealthy);
        var r = new Responder(b.Build());

        for (var i = 0; i < 20; i++)
        {
            Assert.Equal(["10.0.0.1", "10.0.0.3"], r.Ask("echo.domaina", DnsType.A).Answers.Select(a => a.DataText).Order());
        }
    }

    [Fact]
    public void A_Multivalue_AllUnhealthy_FailsOpenWithUpToEight()
    {
        var (b, svc) = Echo(10);
        for (var i = 1; i <= 10; i++) b.Health(svc, $"i-{i}", HealthStatus.Unhealthy);
        var r = new Responder(b.Build());

        var reply = r.Ask("echo.domaina", DnsType.A);
        Assert.Equal(8, reply.Answers.Count);
        Assert.Equal(8, reply.Answers.Select(a => a.DataText).Distinct().Count());
    }

    [Fact]
    public void A_WithoutHealthCheck_EveryInstanceCounts()
    {
        var r = new Responder(Echo(3, customHealth: false).Builder.Build());
        Assert.Equal(3, r.Ask("echo.domaina", DnsType.A).Answers.Count);
    }

    [Fact]
    public void A_Weighted_AnswersOneRandomHealthy()
    {
        var (b, svc) = Echo(4, RoutingPolicy.Weighted);
        b.Health(svc, "i-4", HealthStatus.Unhealthy);
        var r = new Responder(b.Build());
        var seen = new HashSet<string>();
        for (var i = 0; i < 200; i++)
        {
            var answers = r.Ask("echo.domaina", DnsType.A).Answers;
            seen.Add(Assert.Single(answers).DataText);
        }

        Assert.Equal(["10.0.0.1", "10.0.0.2", "10.0.0.3"], seen.Order());
    }

    [Fact]
    public void A_Weighted_AllUnhealthy_AnswersOneAsIfAllWereHealthy()
    {
        var (b, svc) = Echo(3, RoutingPolicy.Weighted);
        for (var i = 1; i <= 3; i++) b.Health(svc, $"i-{i}", HealthStatus.Unhealthy);
        var r = new Responder(b.Build());
        var seen = new HashSet<string>();
        for (var i = 0; i < 100; i++) seen.Add(Assert.Single(r.Ask("echo.domaina", DnsType.A).Answers).DataText);
        Assert.Equal(3, seen.Count);
    }

    [Fact]
    public void Query_EchoesTheClientsCaseInQuestionAndOwners()
    {
        var r = new Responder(Echo(2).Builder.Build());

        var reply = r.Ask("ECHO.DomainA", DnsType.A);

        Assert.Equal("ECHO.DomainA.", reply.Questions.Single().Name);
        Assert.All(reply.Answers, a => Assert.Equal("ECHO.DomainA.", a.Name));
    }

    [Fact]
    public void Srv_AnswersCloudMapFormatWithGlue()
    {
        var b = new SnapshotBuilder();
        var ns = b.Namespace("staging.x.local");
        var svc = b.Service(ns, "app", records: [(RecordType.A, 10), (RecordType.Srv, 20)]);
        b.Instance(svc, "e7544ab", attributes: [Ipv4("172.20.25.85"), Ipv6("2001:db8::1"), Port(8080)]);
        b.Instance(svc, "f00", attributes: [Ipv4("172.20.25.86"), Port(9090)]);
        var r = new Responder(b.Build());

        var reply = r.Ask("app.staging.x.local", DnsType.SRV);

        Assert.Equal(["1 1 8080 e7544ab.app.staging.x.local.", "1 1 9090 f00.app.staging.x.local."], reply.Answers.Select(a => a.DataText).Order());
        Assert.All(reply.Answers, a => Assert.Equal(20u, a.Ttl));
        var glue = reply.Additionals.Where(a => a.Type != DnsType.OPT).Select(a => $"{a.Name} {a.Type} {a.DataText}").Order();
        Assert.Equal(
            ["e7544ab.app.staging.x.local. 1 172.20.25.85", "e7544ab.app.staging.x.local. 28 2001:db8::1", "f00.app.staging.x.local. 1 172.20.25.86"],
            glue);
    }

    [Fact]
    public void InstanceName_ResolvesToItsAddresses()
    {
        var b = new SnapshotBuilder();
        var ns = b.Namespace("domaina");
        var svc = b.Service(ns, "app", records: [(RecordType.Srv, 20)]);
        b.Instance(svc, "i-1", attributes: [Ipv4("10.1.1.1"), Ipv6("2001:db8::5"), Port(80)]);
        var r = new Responder(b.Build());

        Assert.Equal("10.1.1.1", r.Ask("I-1.app.domaina", DnsType.A).Answers.Single().DataText);
        Assert.Equal("2001:db8::5", r.Ask("i-1.app.domaina", DnsType.AAAA).Answers.Single().DataText);
        // The SRV-only service has no A records of its own: NODATA, not NXDOMAIN.
        var nodata = r.Ask("app.domaina", DnsType.A);
        Assert.Equal(DnsRCode.NoError, nodata.RCode);
        Assert.Empty(nodata.Answers);
    }

    [Fact]
    public void Aaaa_AnswersFromIpv6()
    {
        var b = new SnapshotBuilder();
        var ns = b.Namespace("domaina");
        var svc = b.Service(ns, "v6", records: [(RecordType.A, 5), (RecordType.Aaaa, 7)]);
        b.Instance(svc, "i-1", attributes: [Ipv4("10.0.0.1"), Ipv6("2001:db8::1")]);
        var r = new Responder(b.Build());

        var reply = r.Ask("v6.domaina", DnsType.AAAA);
        Assert.Equal("2001:db8::1", reply.Answers.Single().DataText);
        Assert.Equal(7u, reply.Answers.Single().Ttl);
    }

    [Fact]
    public void Cname_AnswersTheTargetForEveryType()
    {
        var b = new SnapshotBuilder();
        var ns = b.Namespace("domaina");
        var svc = b.Service(ns, "alias", RoutingPolicy.Weighted, records: [(RecordType.Cname, 300)]);
        b.Instance(svc, "i-1", attributes: [(ReservedAttributes.InstanceCname, "backend.example.com")]);
        var r = new Responder(b.Build());

        foreach (var type in new[] { DnsType.A, DnsType.AAAA, DnsType.CNAME })
        {
            var answer = r.Ask("alias.domaina", type).Answers.Single();
            Assert.Equal(DnsType.CNAME, answer.Type);
            Assert.Equal("backend.example.com.", answer.DataText);
            Assert.Equal(300u, answer.Ttl);
        }
    }

    [Fact]
    public void Apex_AnswersSoaAndNs()
    {
        var r = new Responder(Echo(1).Builder.Build());

        var soa = r.Ask("domaina", DnsType.SOA).Answers.Single();
        Assert.Equal("portolan.localhost. hostmaster.portolan.localhost. 42 7200 900 1209600 30", soa.DataText);
        Assert.Equal(30u, soa.Ttl);
        Assert.Equal("portolan.localhost.", r.Ask("DomainA", DnsType.NS).Answers.Single().DataText);
    }

    [Fact]
    public void UnknownName_IsNxDomainWithSoaCarryingTheNegativeTtl()
    {
        var r = new Responder(Echo(1).Builder.Build());

        var reply = r.Ask("nope.Domaina", DnsType.A);

        Assert.Equal(DnsRCode.NXDomain, reply.RCode);
        Assert.True(reply.Authoritative);
        Assert.Empty(reply.Answers);
        var soa = reply.Authorities.Single();
        Assert.Equal(DnsType.SOA, soa.Type);
        Assert.Equal("Domaina.", soa.Name); // compressed into the question's name, in its case
        Assert.Equal(30u, soa.Ttl);
        Assert.EndsWith(" 30", soa.DataText, StringComparison.Ordinal);
    }

    [Fact]
    public void ExistingNameOtherType_IsNoData()
    {
        var r = new Responder(Echo(1).Builder.Build());

        var reply = r.Ask("echo.domaina", DnsType.AAAA);

        Assert.Equal(DnsRCode.NoError, reply.RCode);
        Assert.Empty(reply.Answers);
        Assert.Equal(DnsType.SOA, reply.Authorities.Single().Type);
        Assert.Equal("domaina.", reply.Authorities.Single().Name);
    }

    [Fact]
    public void KnownServiceWithoutInstances_IsNoDataNotNxDomain()
    {
        var r = new Responder(Echo(0).Builder.Build());

        var reply = r.Ask("echo.domaina", DnsType.A);

        Assert.Equal(DnsRCode.NoError, reply.RCode);
        Assert.Empty(reply.Answers);
        Assert.Equal(DnsType.SOA, reply.Authorities.Single().Type);
    }

    [Fact]
    public void EmptyNonTerminal_IsNoData()
    {
        var b = new SnapshotBuilder();
        var ns = b.Namespace("domaina");
        var svc = b.Service(ns, "_http._tcp", records: [(RecordType.Srv, 20)]);
        b.Instance(svc, "i-1", attributes: [Ipv4("10.0.0.1"), Port(80)]);
        var r = new Responder(b.Build());

        Assert.Equal(DnsRCode.NoError, r.Ask("_tcp.domaina", DnsType.A).RCode);
        Assert.Single(r.Ask("_http._tcp.domaina", DnsType.SRV).Answers);
        Assert.Equal(DnsRCode.NXDomain, r.Ask("_udp.domaina", DnsType.A).RCode);
    }

    [Fact]
    public void NamesOutsideOurZones_AreRefused()
    {
        var b = Echo(1).Builder;
        b.Namespace("api-only", NamespaceType.Http);
        var r = new Responder(b.Build());

        foreach (var name in new[] { "example.com", "api-only", "x.api-only", "domainb", "." })
        {
            var reply = r.Ask(name, DnsType.A);
            Assert.Equal(DnsRCode.Refused, reply.RCode);
            Assert.False(reply.Authoritative);
            Assert.Empty(reply.Answers);
            Assert.Empty(reply.Authorities);
        }
    }

    [Fact]
    public void ApiOnlyServiceInDnsNamespace_HasNoName()
    {
        var b = Echo(1).Builder;
        var ns = b.Namespace("domainz");
        b.Service(ns, "httponly");
        var r = new Responder(b.Build());

        Assert.Equal(DnsRCode.NXDomain, r.Ask("httponly.domainz", DnsType.A).RCode);
    }

    [Fact]
    public void PublicNamespace_IsServedToo()
    {
        var b = new SnapshotBuilder();
        var ns = b.Namespace("example.org", NamespaceType.DnsPublic);
        var svc = b.Service(ns, "www", records: [(RecordType.A, 60)]);
        b.Instance(svc, "i", attributes: [Ipv4("192.0.2.7")]);
        Assert.Equal("192.0.2.7", new Responder(b.Build()).Ask("www.example.org", DnsType.A).Answers.Single().DataText);
    }

    [Fact]
    public void NestedNamespaces_LongestZoneWins()
    {
        var b = new SnapshotBuilder();
        var outer = b.Namespace("a.example", soaTtl: 11);
        var inner = b.Namespace("b.a.example", soaTtl: 22);
        var shadowed = b.Service(outer, "x.b", records: [(RecordType.A, 60)]);
        b.Instance(shadowed, "i", attributes: [Ipv4("10.0.0.1")]);
        var own = b.Service(inner, "y", records: [(RecordType.A, 60)]);
        b.Instance(own, "i", attributes: [Ipv4("10.0.0.2")]);
        var r = new Responder(b.Build());

        var hidden = r.Ask("x.b.a.example", DnsType.A);
        Assert.Equal(DnsRCode.NXDomain, hidden.RCode);
        Assert.Equal(22u, hidden.Authorities.Single().Ttl);
        Assert.Equal("10.0.0.2", r.Ask("y.b.a.example", DnsType.A).Answers.Single().DataText);
        Assert.Equal(11u, r.Ask("q.a.example", DnsType.A).Authorities.Single().Ttl);
    }

    [Fact]
    public void InstanceIdsWithDots_MakeEmptyNonTerminals_AndANestedZoneStillWins()
    {
        var b = new SnapshotBuilder();
        var outer = b.Namespace("a.example", soaTtl: 11);
        var web = b.Service(outer, "web", records: [(RecordType.Srv, 60)]);
        b.Instance(web, "p.q", attributes: [Ipv4("10.0.0.1"), Port(80)]);
        b.Instance(web, "x.inner", attributes: [Ipv4("10.0.0.2"), Port(80)]);
        b.Namespace("inner.web.a.example", soaTtl: 22);
        var r = new Responder(b.Build());

        Assert.Equal("10.0.0.1", r.Ask("p.q.web.a.example", DnsType.A).Answers.Single().DataText);
        var between = r.Ask("q.web.a.example", DnsType.A);
        Assert.Equal(DnsRCode.NoError, between.RCode);
        Assert.Empty(between.Answers);
        // x.inner.web.a.example is under the namespace inner.web.a.example: that zone answers, and has no such name.
        var shadowed = r.Ask("x.inner.web.a.example", DnsType.A);
        Assert.Equal(DnsRCode.NXDomain, shadowed.RCode);
        Assert.Equal(22u, shadowed.Authorities.Single().Ttl);
        Assert.Equal(DnsRCode.NXDomain, r.Ask("z.web.a.example", DnsType.A).RCode);
    }

    [Fact]
    public void Rebuild_KeepsUnchangedServicesNames_AndAnswersWithTheNewRevisionsSoa()
    {
        var b = new SnapshotBuilder();
        var ns = b.Namespace("domaina");
        var stable = b.Service(ns, "stable", records: [(RecordType.Srv, 60)]);
        b.Instance(stable, "i-1", attributes: [Ipv4("10.0.0.1"), Port(80)]);
        var busy = b.Service(ns, "busy", records: [(RecordType.Srv, 60)]);
        var first = ZoneViewBuilder.Build(b.Build(), new ZoneViewOptions());

        b.Instance(busy, "new", attributes: [Ipv4("10.0.0.9"), Port(80)]);
        b.Revision = 43;
        var second = ZoneViewBuilder.Build(b.Build(), new ZoneViewOptions(), first);
        var r = new Responder(b.Build()) { Current = second };

        Assert.Same(first.Services[stable].Instances, second.Services[stable].Instances);
        Assert.Equal("10.0.0.9", r.Ask("new.busy.domaina", DnsType.A).Answers.Single().DataText);
        // NODATA at a kept instance name carries the SOA of the view it came from (serial 43), not of the first.
        var nodata = r.Ask("i-1.stable.domaina", DnsType.AAAA);
        Assert.Empty(nodata.Answers);
        Assert.StartsWith("portolan.localhost. hostmaster.portolan.localhost. 43 ", nodata.Authorities.Single().DataText, StringComparison.Ordinal);
    }

    [Fact]
    public void Any_IsAnsweredWithOneRRsetOnly()
    {
        var b = new SnapshotBuilder();
        var ns = b.Namespace("domaina");
        var svc = b.Service(ns, "both", records: [(RecordType.A, 60), (RecordType.Aaaa, 60), (RecordType.Srv, 60)]);
        b.Instance(svc, "i-1", attributes: [Ipv4("10.0.0.1"), Ipv6("2001:db8::1"), Port(80)]);
        var r = new Responder(b.Build());

        var reply = r.Ask("both.domaina", DnsType.ANY);
        Assert.Single(reply.Answers.Select(a => a.Type).Distinct());
        Assert.Equal(DnsType.SOA, r.Ask("domaina", DnsType.ANY).Answers.Single().Type);
    }

    [Fact]
    public void UndecodableData_IsLeftOutInsteadOfFailingTheBuild()
    {
        var b = new SnapshotBuilder();
        var ns = b.Namespace("domaina");
        var svc = b.Service(ns, "app", records: [(RecordType.Srv, 20)]);
        b.Instance(svc, new string('x', 64), attributes: [Ipv4("10.0.0.1"), Port(80)]); // not a DNS label
        b.Instance(svc, "ok", attributes: [Ipv4("10.0.0.2"), Port(81)]);
        var r = new Responder(b.Build());

        Assert.Equal("1 1 81 ok.app.domaina.", r.Ask("app.domaina", DnsType.SRV).Answers.Single().DataText);
    }
}
