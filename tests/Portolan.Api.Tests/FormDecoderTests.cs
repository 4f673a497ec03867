using System.Text;
using Portolan.Api.Edge;
using Portolan.Api.Tests.Support;

namespace Portolan.Api.Tests;

public sealed class FormDecoderTests
{
    [Fact]
    public void Decodes_the_cli_encoding_of_nested_lists_and_structures()
    {
        var form = FormDecoder.Decode(CapturedRequest.Load("elbv2-create-listener.forward-config-weighted.http").Body);

        Assert.Equal("CreateListener", form["Action"]);
        Assert.Equal("2015-12-01", form["Version"]);
        Assert.Equal("forward", form["DefaultActions.member.1.Type"]);
        Assert.Equal("1", form["DefaultActions.member.1.ForwardConfig.TargetGroups.member.1.Weight"]);
        Assert.Equal("3", form["DefaultActions.member.1.ForwardConfig.TargetGroups.member.2.Weight"]);
        Assert.StartsWith("arn:aws:elasticloadbalancing:us-east-1:000000000000:targetgroup/",
            form["DefaultActions.member.1.ForwardConfig.TargetGroups.member.1.TargetGroupArn"], StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("a=%2Fapi%2F%2A", "/api/*")]
    [InlineData("a=hello+world", "hello world")]
    [InlineData("a=%2B", "+")]
    [InlineData("a=caf%C3%A9", "café")]
    [InlineData("a=%zz%4", "%zz%4")]
    [InlineData("a=100%", "100%")]
    [InlineData("a=", "")]
    [InlineData("a", "")]
    [InlineData("a=x=y", "x=y")]
    public void Decodes_values(string body, string expected)
    {
        var form = FormDecoder.Decode(Encoding.UTF8.GetBytes(body));

        Assert.Equal(expected, form["a"]);
    }

    [Fact]
    public void Skips_empty_pairs_and_keys_and_the_last_duplicate_wins()
    {
        var form = FormDecoder.Decode("&&a=1&=orphan&b=2&a=3&"u8);

        Assert.Equal(2, form.Count);
        Assert.Equal("3", form["a"]);
        Assert.Equal("2", form["b"]);
    }

    [Fact]
    public void Keys_are_decoded_too()
    {
        var form = FormDecoder.Decode("Tags.member.1.Key%3D=v"u8);

        Assert.Equal("v", form["Tags.member.1.Key="]);
    }

    [Fact]
    public void Empty_body_is_an_empty_form() => Assert.Empty(FormDecoder.Decode([]));
}
