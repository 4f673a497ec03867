using Portolan.Core.Discovery;
using Portolan.Dns.Server;
using Portolan.Dns.Tests.Support;
using Portolan.Dns.Wire;

namespace Portolan.Dns.Tests.Server;

/// <summary>The request pipeline: sizes, EDNS, truncation and the error paths, without sockets.</summary>
public class DnsQueryProcessorTests
{
    /// <summary>A service whose SRV answer is big: 8 targets with long names (~1,300 octets with glue).</summary>
    private static Responder BigSrv(DnsServerOptions? options = null)
    {
        var b = new SnapshotBuilder();
        var ns = b.Namespace("a-rather-long-namespace-name.example.internal");
        var svc = b.Service(ns, "a-service-with-a-long-name", records: [(RecordType.A, 60), (RecordType.Srv, 60)]);
        for (var i = 0; i < 8; i++)
        {
            b.Instance(svc, $"task-{i:D2}.0123456789abcdef0123456789abcdef",
                attributes: [(ReservedAttributes.InstanceIpv4, $"10.0.0.{i + 1}"), (ReservedAttributes.InstanceIpv6, $"2001:db8::{i + 1}"), (ReservedAttributes.InstancePort, "8080")]);
        }

        return new Responder(b.Build(), options);
    }

    private const string BigName = "a-service-with-a-long-name.a-rather-long-namespace-name.example.internal";

    [Fact]
    public void Udp_WithoutEdns_StaysWithin512AndSetsTcWhenAnswersDontFit()
    {
        var r = BigSrv();

        var raw = r.Raw(Query.Build(BigName, DnsType.SRV))!;
        var reply = Reply.Parse(raw);

        Assert.True(raw.Length <= 512);
        Assert.True(reply.Truncated);
        Assert.Empty(reply.Answers);
        Assert.Equal(BigName + ".", reply.Questions.Single().Name);
        Assert.Null(reply.Opt);
    }

    [Fact]
    public void Tcp_SameQuery_GetsEverythingWithoutTc()
    {
        var reply = BigSrv().Ask(Query.Build(BigName, DnsType.SRV), overUdp: false);

        Assert.False(reply.Truncated);
        Assert.Equal(8, reply.Answers.Count);
        Assert.Equal(16, reply.Additionals.Count);
        Assert.True(reply.Length > 1232);
    }

    [Fact]
    public void Udp_EdnsSize_IsHonouredUpToOurMaximum()
    {
        var r = BigSrv(new DnsServerOptions { MaxUdpPayload = 4096 });

        var large = r.Raw(Query.Build(BigName, DnsType.SRV, ednsSize: 4096))!;
        var reply = Reply.Parse(large);
        Assert.False(reply.Truncated);
        Assert.Equal(16, reply.Additionals.Count(a => a.Type != DnsType.OPT));
        Assert.Equal(4096, reply.Opt!.Class); // ours, advertised

        // A client asking for more than we allow gets our maximum; one asking for less than 512 gets 512.
        var capped = BigSrv(new DnsServerOptions { MaxUdpPayload = 1232 });
        Assert.True(capped.Raw(Query.Build(BigName, DnsType.SRV, ednsSize: 65000))!.Length <= 1232);
        Assert.True(capped.Raw(Query.Build(BigName, DnsType.SRV, ednsSize: 100))!.Length <= 512);
    }

    [Fact]
    public void Udp_AnswersFitButGlueDoesNot_DropsGlueWithoutTc()
    {
        // Header, question and answers take ~1,170 octets; glue would add ~350 more.
        var r = BigSrv();

        var raw = r.Raw(Query.Build(BigName, DnsType.SRV, ednsSize: 1232))!;
        var reply = Reply.Parse(raw);

        Assert.True(raw.Length <= 1232);
        Assert.False(reply.Truncated);
        Assert.Equal(8, reply.Answers.Count);
        Assert.True(reply.Additionals.Count(a => a.Type != DnsType.OPT) < 16);
        Assert.NotNull(reply.Opt);
        // Glue comes in whole pairs per target (A and AAAA together).
        Assert.Equal(0, reply.Additionals.Count(a => a.Type != DnsType.OPT) % 2);
    }

    [Fact]
    public void Edns_ReplyCarriesOptAndEchoesDo()
    {
        var reply = BigSrv().Ask(Query.Build("x." + BigName, DnsType.A, ednsSize: 1232, dnssecOk: true));
        Assert.Equal(1232, reply.Opt!.Class);
        Assert.Equal(0x8000u, reply.Opt.Ttl);
    }

    [Fact]
    public void EdnsVersion1_GetsBadVersWithOpt()
    {
        var reply = BigSrv().Ask(Query.Build(BigName, DnsType.A, ednsSize: 1232, ednsVersion: 1));
        Assert.Equal(DnsRCode.BadVers, reply.RCode);
        Assert.NotNull(reply.Opt);
        Assert.Empty(reply.Answers);
    }

    [Fact]
    public void Malformed_AfterTheQuestion_GetsFormErrEchoingIt()
    {
        var packet = Query.Build("Echo.DomainA", DnsType.A, id: 0x7777);
        packet[11] = 1; // ARCOUNT 1, no record

        var reply = BigSrv().Ask(packet);

        Assert.Equal(0x7777, reply.Id);
        Assert.Equal(DnsRCode.FormErr, reply.RCode);
        Assert.Equal("Echo.DomainA.", reply.Questions.Single().Name);
    }

    [Fact]
    public void Malformed_Question_GetsFormErrWithoutQuestion()
    {
        byte[] packet = [.. Query.Header(9, 0x0100, 1, 0, 0, 0), 0xC0, 12, 0, 1, 0, 1];

        var reply = BigSrv().Ask(packet);

        Assert.Equal(DnsRCode.FormErr, reply.RCode);
        Assert.Empty(reply.Questions);
        Assert.True(reply.RecursionDesired);
    }

    [Fact]
    public void MultipleQuestions_GetFormErr()
    {
        byte[] packet = [.. Query.Header(1, 0, 2, 0, 0, 0), .. Query.Name("a.b"), 0, 1, 0, 1, .. Query.Name("c.d"), 0, 1, 0, 1];
        Assert.Equal(DnsRCode.FormErr, BigSrv().Ask(packet).RCode);
    }

    [Fact]
    public void Responses_AndRunts_GetNoReply()
    {
        var r = BigSrv();
        Assert.Null(r.Raw(Query.Build(BigName, DnsType.A, flags: 0x8000)));
        Assert.Null(r.Raw([1, 2, 3]));
    }

    [Fact]
    public void OtherOpcodes_GetNotImp()
    {
        var reply = BigSrv().Ask(Query.Build(BigName, DnsType.SOA, flags: 4 << 11)); // NOTIFY
        Assert.Equal(DnsRCode.NotImp, reply.RCode);
        Assert.Equal(4, reply.OpCode);
    }

    [Theory]
    [InlineData(DnsType.AXFR, DnsClass.IN)]
    [InlineData(DnsType.IXFR, DnsClass.IN)]
    [InlineData(DnsType.A, 3)] // CHAOS
    public void TransfersAndOtherClasses_AreRefused(ushort type, ushort @class) =>
        Assert.Equal(DnsRCode.Refused, BigSrv().Ask(Query.Build(BigName, type, @class: @class)).RCode);

    [Fact]
    public void Reply_EchoesIdAndRdButNeverClaimsRecursion()
    {
        var reply = BigSrv().Ask(Query.Build(BigName, DnsType.A, id: 0xABCD, flags: 0x0100));
        Assert.Equal(0xABCD, reply.Id);
        Assert.True(reply.RecursionDesired);
        Assert.Equal(0, reply.Flags & 0x0080);
    }
}
