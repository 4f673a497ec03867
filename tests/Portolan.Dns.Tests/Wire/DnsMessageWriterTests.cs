using Portolan.Dns.Tests.Support;
using Portolan.Dns.Wire;

namespace Portolan.Dns.Tests.Wire;

public class DnsMessageWriterTests
{
    [Fact]
    public void TryWriteRecord_PastTheLimit_FailsAndLeavesPositionAlone()
    {
        var buffer = new byte[512];
        var writer = new DnsMessageWriter(buffer, 40);
        DnsName.TryEncode("a.b", out var name);
        Assert.True(writer.TryWriteQuestion(name, DnsType.A, DnsClass.IN));
        var tail = RecordTail.A(60, System.Net.IPAddress.Parse("10.0.0.1"));

        Assert.True(writer.TryWriteRecord(DnsSection.Answer, 12, tail)); // 12 + 9 + 16 = 37
        var before = writer.Position;
        Assert.False(writer.TryWriteRecord(DnsSection.Answer, 12, tail));
        Assert.Equal(before, writer.Position);
        Assert.Equal(1, writer.AnswerCount);
    }

    [Fact]
    public void TryWriteRecord_PointerBeyond14Bits_Fails()
    {
        var writer = new DnsMessageWriter(new byte[512], 512);
        Assert.False(writer.TryWriteRecord(DnsSection.Answer, 0x4000, [1, 2]));
    }

    [Fact]
    public void WrittenMessage_DecodesWithHeaderQuestionRecordsAndOpt()
    {
        var buffer = new byte[512];
        var writer = new DnsMessageWriter(buffer, 512);
        DnsName.TryEncode("Web.Example", out var name);
        DnsName.TryEncode("target.example", out var target);
        writer.TryWriteQuestion(name, DnsType.SRV, DnsClass.IN);
        writer.TryWriteRecord(DnsSection.Answer, 12, RecordTail.Srv(30, 1, 1, 8080, target));
        writer.TryWriteRecord(DnsSection.Additional, target, RecordTail.A(30, System.Net.IPAddress.Parse("192.0.2.1")));
        writer.TryWriteOpt(1232, DnsRCode.BadVers, dnssecOk: true);
        writer.WriteHeader(0x4242, DnsFlags.QR | DnsFlags.AA, DnsRCode.BadVers);

        var reply = Reply.Parse(writer.Written);
        Assert.Equal(0x4242, reply.Id);
        Assert.True(reply.Authoritative);
        Assert.Equal(DnsRCode.BadVers, reply.RCode);
        Assert.Equal(("Web.Example.", DnsType.SRV, DnsClass.IN), reply.Questions.Single());
        var srv = reply.Answers.Single();
        Assert.Equal("Web.Example.", srv.Name);
        Assert.Equal("1 1 8080 target.example.", srv.DataText);
        Assert.Equal(30u, srv.Ttl);
        Assert.Equal("192.0.2.1", reply.Additionals[0].DataText);
        var opt = reply.Opt!;
        Assert.Equal(1232, opt.Class);
        Assert.Equal(0x8000u, opt.Ttl & 0xFFFF); // DO
    }
}
