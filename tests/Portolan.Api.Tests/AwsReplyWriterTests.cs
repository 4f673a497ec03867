using System.Text;
using System.Text.Json;
using System.Xml.Linq;
using Portolan.Api.Edge;

namespace Portolan.Api.Tests;

public sealed class AwsReplyWriterTests
{
    [Fact]
    public void Json_error_has_type_message_and_fields()
    {
        using var output = new PooledBufferWriter();
        var error = new AwsServiceException("DuplicateRequest", "Say \"hi\" <now>", 400,
            new Dictionary<string, string> { ["DuplicateOperationId"] = "op-1", ["__type"] = "shadow", ["message"] = "shadow" });

        AwsReplyWriter.WriteJsonError(output, error, "message");

        using var json = JsonDocument.Parse(output.WrittenMemory);
        var members = json.RootElement.EnumerateObject().Select(p => (p.Name, p.Value.GetString())).ToList();
        Assert.Equal([("__type", "DuplicateRequest"), ("message", "Say \"hi\" <now>"), ("DuplicateOperationId", "op-1")], members);
    }

    [Fact]
    public void Query_envelope_wraps_the_result_and_carries_the_request_id()
    {
        using var output = new PooledBufferWriter();
        AwsReplyWriter.WriteQueryPrologue(output, "DescribeTargetHealth", "http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/");
        output.Write("<TargetHealthDescriptions/>"u8);
        AwsReplyWriter.WriteQueryEpilogue(output, "DescribeTargetHealth", "req-1");

        Assert.Equal(
            "<DescribeTargetHealthResponse xmlns=\"http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/\">" +
            "<DescribeTargetHealthResult><TargetHealthDescriptions/></DescribeTargetHealthResult>" +
            "<ResponseMetadata><RequestId>req-1</RequestId></ResponseMetadata></DescribeTargetHealthResponse>",
            Encoding.UTF8.GetString(output.WrittenSpan));
    }

    [Fact]
    public void Query_error_escapes_markup_and_replaces_characters_xml_cannot_carry()
    {
        using var output = new PooledBufferWriter();
        var error = new AwsServiceException("ValidationError", "Name 'a&b' <x> \u0001 is \"bad\"", 400);

        AwsReplyWriter.WriteQueryError(output, error, "urn:ns", "req-2");

        var xml = XDocument.Parse(Encoding.UTF8.GetString(output.WrittenSpan));
        XNamespace ns = "urn:ns";
        Assert.Equal(ns + "ErrorResponse", xml.Root!.Name);
        var e = xml.Root.Element(ns + "Error")!;
        Assert.Equal("Sender", e.Element(ns + "Type")!.Value);
        Assert.Equal("ValidationError", e.Element(ns + "Code")!.Value);
        Assert.Equal("Name 'a&b' <x> \uFFFD is \"bad\"", e.Element(ns + "Message")!.Value);
        Assert.Equal("req-2", xml.Root.Element(ns + "RequestId")!.Value);
    }

    [Fact]
    public void Pooled_writer_grows_and_clears()
    {
        using var output = new PooledBufferWriter(16);
        var big = new byte[100_000];
        Random.Shared.NextBytes(big);

        output.Write(big.AsSpan(0, 10));
        output.Write(big.AsSpan(10));
        Assert.True(output.WrittenSpan.SequenceEqual(big));

        output.Clear();
        Assert.Equal(0, output.WrittenCount);
    }
}
