using Portolan.Dns.Tests.Support;
using Portolan.Dns.Wire;

namespace Portolan.Dns.Tests.Wire;

public class DnsQueryParserTests
{
    private static QueryParseStatus Parse(byte[] packet, out DnsQuery query, out string name)
    {
        var buffer = new byte[255];
        var status = DnsQueryParser.Parse(packet, buffer, out query);
        name = query.HasQuestion ? DnsName.ToDotted(buffer.AsSpan(0, query.QuestionNameLength)) : "";
        return status;
    }

    [Fact]
    public void Parse_QueryWithEdns_ReadsQuestionAndOpt()
    {
        var packet = Query.Build("Echo.DomainA", DnsType.SRV, ednsSize: 4096, id: 0xBEEF, dnssecOk: true);

        Assert.Equal(QueryParseStatus.Ok, Parse(packet, out var q, out var name));
        Assert.Equal("Echo.DomainA.", name);
        Assert.Equal(0xBEEF, q.Id);
        Assert.Equal(DnsType.SRV, q.QuestionType);
        Assert.Equal(DnsClass.IN, q.QuestionClass);
        Assert.True(q.HasEdns);
        Assert.Equal(4096, q.EdnsUdpSize);
        Assert.True(q.DnssecOk);
    }

    [Fact]
    public void Parse_WithoutOpt_HasNoEdns()
    {
        Assert.Equal(QueryParseStatus.Ok, Parse(Query.Build("a.b", DnsType.A), out var q, out _));
        Assert.False(q.HasEdns);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(11)]
    public void Parse_ShorterThanHeader_IsDropped(int length) =>
        Assert.Equal(QueryParseStatus.Drop, Parse(new byte[length], out _, out _));

    [Fact]
    public void Parse_Response_IsDropped() =>
        Assert.Equal(QueryParseStatus.Drop, Parse(Query.Build("a.b", DnsType.A, flags: 0x8100), out _, out _));

    [Fact]
    public void Parse_OtherOpcode_IsNotImplemented() =>
        Assert.Equal(QueryParseStatus.NotImplemented, Parse(Query.Build("a.b", DnsType.SOA, flags: 5 << 11), out _, out _));

    [Theory]
    [InlineData(0)]
    [InlineData(2)]
    public void Parse_QuestionCountOtherThanOne_IsFormatError(ushort count)
    {
        var packet = Query.Build("a.b", DnsType.A);
        packet[5] = (byte)count;
        Assert.Equal(QueryParseStatus.FormatError, Parse(packet, out _, out _));
    }

    [Fact]
    public void Parse_TwoRealQuestions_IsFormatError()
    {
        byte[] packet = [.. Query.Header(1, 0, 2, 0, 0, 0), .. Query.Name("a.b"), 0, 1, 0, 1, .. Query.Name("c.d"), 0, 1, 0, 1];
        Assert.Equal(QueryParseStatus.FormatError, Parse(packet, out _, out _));
    }

    [Fact]
    public void Parse_CountsPromisingMissingRecords_IsFormatErrorWithQuestion()
    {
        var packet = Query.Build("a.b", DnsType.A);
        packet[7] = 3; // ANCOUNT 3, no records follow

        Assert.Equal(QueryParseStatus.FormatError, Parse(packet, out var q, out var name));
        Assert.True(q.HasQuestion);
        Assert.Equal("a.b.", name);
    }

    [Fact]
    public void Parse_QuestionCutShort_IsFormatErrorWithoutQuestion()
    {
        var packet = Query.Build("a.b", DnsType.A)[..^3];
        Assert.Equal(QueryParseStatus.FormatError, Parse(packet, out var q, out _));
        Assert.False(q.HasQuestion);
    }

    [Fact]
    public void Parse_TwoOptRecords_IsFormatError()
    {
        byte[] packet = [.. Query.Header(1, 0, 1, 0, 0, 2), .. Query.Name("a.b"), 0, 1, 0, 1, .. Query.Opt(1232), .. Query.Opt(1232)];
        Assert.Equal(QueryParseStatus.FormatError, Parse(packet, out _, out _));
    }

    [Fact]
    public void Parse_OptNotOwnedByRoot_IsFormatError()
    {
        byte[] opt = [.. Query.Name("x"), .. Query.Opt(1232)[1..]];
        byte[] packet = [.. Query.Header(1, 0, 1, 0, 0, 1), .. Query.Name("a.b"), 0, 1, 0, 1, .. opt];
        Assert.Equal(QueryParseStatus.FormatError, Parse(packet, out _, out _));
    }

    [Fact]
    public void Parse_OptOptionOverrunningItsRecord_IsFormatError()
    {
        // One option claiming 200 octets inside a 6-octet RDATA.
        byte[] packet = [.. Query.Header(1, 0, 1, 0, 0, 1), .. Query.Name("a.b"), 0, 1, 0, 1, .. Query.Opt(1232, options: [0, 10, 0, 200, 1, 2])];
        Assert.Equal(QueryParseStatus.FormatError, Parse(packet, out _, out _));
    }

    [Fact]
    public void Parse_OptWithWellFormedOptions_IsAccepted()
    {
        // A client cookie (option 10, 8 octets), as dig sends.
        byte[] packet = [.. Query.Header(1, 0, 1, 0, 0, 1), .. Query.Name("a.b"), 0, 1, 0, 1, .. Query.Opt(1232, options: [0, 10, 0, 8, 1, 2, 3, 4, 5, 6, 7, 8])];
        Assert.Equal(QueryParseStatus.Ok, Parse(packet, out var q, out _));
        Assert.True(q.HasEdns);
    }

    [Fact]
    public void Parse_EdnsVersion1_IsBadVersion() =>
        Assert.Equal(QueryParseStatus.BadVersion, Parse(Query.Build("a.b", DnsType.A, ednsSize: 1232, ednsVersion: 1), out _, out _));

    [Fact]
    public void Parse_OptAsQuestionType_IsFormatError() =>
        Assert.Equal(QueryParseStatus.FormatError, Parse(Query.Build("a.b", DnsType.OPT), out _, out _));

    [Fact]
    public void Parse_TrailingBytesAfterCountedRecords_AreIgnored() =>
        Assert.Equal(QueryParseStatus.Ok, Parse([.. Query.Build("a.b", DnsType.A), 1, 2, 3], out _, out _));

    [Fact]
    public void Parse_CompressedQuestionName_IsRejectedWhenItPointsIntoHeader()
    {
        byte[] packet = [.. Query.Header(1, 0, 1, 0, 0, 0), 0xC0, 2, 0, 1, 0, 1];
        Assert.Equal(QueryParseStatus.FormatError, Parse(packet, out _, out _));
    }
}
