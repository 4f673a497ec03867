using Portolan.Dns.Wire;

namespace Portolan.Dns.Tests.Wire;

public class DnsNameTests
{
    [Theory]
    [InlineData("example.local", "example.local.")]
    [InlineData("example.local.", "example.local.")]
    [InlineData("_http._tcp.Example", "_http._tcp.Example.")]
    [InlineData("", ".")]
    public void TryEncode_ValidNames_RoundTrip(string dotted, string expected)
    {
        Assert.True(DnsName.TryEncode(dotted, out var wire));
        Assert.Equal(expected, DnsName.ToDotted(wire));
    }

    [Theory]
    [InlineData("a..b")]
    [InlineData(".a")]
    [InlineData("caf\u00e9.local")]
    [InlineData("has space.local")]
    public void TryEncode_InvalidNames_AreRefused(string dotted) => Assert.False(DnsName.TryEncode(dotted, out _));

    [Fact]
    public void TryEncode_LabelOver63OrNameOver255_IsRefused()
    {
        Assert.False(DnsName.TryEncode(new string('a', 64) + ".local", out _));
        Assert.True(DnsName.TryEncode(new string('a', 63) + ".local", out _));
        Assert.False(DnsName.TryEncode(string.Join('.', Enumerable.Repeat(new string('a', 63), 4)), out _));
    }

    [Fact]
    public void EqualsIgnoreCaseAndHash_FoldAsciiCaseOnly()
    {
        DnsName.TryEncode("Echo.DomainA", out var mixed);
        DnsName.TryEncode("echo.domaina", out var lower);
        DnsName.TryEncode("echo.domainb", out var other);

        Assert.True(DnsName.EqualsIgnoreCase(mixed, lower));
        Assert.Equal(DnsName.Hash(mixed), DnsName.Hash(lower));
        Assert.False(DnsName.EqualsIgnoreCase(lower, other));
        // '@' (0x40) and '`' (0x60) differ by the case bit but are not letters.
        Assert.False(DnsName.EqualsIgnoreCase([1, (byte)'@', 0], [1, (byte)'`', 0]));
    }

    [Fact]
    public void Parent_DropsTheFirstLabel()
    {
        DnsName.TryEncode("a.b.c", out var name);
        Assert.Equal("b.c.", DnsName.ToDotted(DnsName.Parent(name)));
        Assert.Equal(3, DnsName.LabelCount(name));
    }
}
