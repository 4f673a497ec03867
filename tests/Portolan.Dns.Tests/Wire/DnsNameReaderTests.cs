using Portolan.Dns.Tests.Support;
using Portolan.Dns.Wire;

namespace Portolan.Dns.Tests.Wire;

public class DnsNameReaderTests
{
    private static readonly byte[] Header = new byte[12];

    private static NameReadStatus Read(byte[] message, int start, out string name, out int end)
    {
        var buffer = new byte[255];
        var status = DnsNameReader.TryRead(message, start, buffer, out var length, out end);
        name = status == NameReadStatus.Ok ? DnsName.ToDotted(buffer.AsSpan(0, length)) : "";
        return status;
    }

    [Fact]
    public void TryRead_PlainName_ReadsLabelsAndEndsAfterRoot()
    {
        byte[] message = [.. Header, .. Query.Name("Web.Example.local")];

        Assert.Equal(NameReadStatus.Ok, Read(message, 12, out var name, out var end));
        Assert.Equal("Web.Example.local.", name);
        Assert.Equal(message.Length, end);
    }

    [Fact]
    public void TryRead_BackwardPointer_ExpandsAndEndsAfterPointer()
    {
        // "example.local" at 12, then "www" + pointer to 12.
        byte[] message = [.. Header, .. Query.Name("example.local"), 3, (byte)'w', (byte)'w', (byte)'w', 0xC0, 12];
        var start = 12 + 15;

        Assert.Equal(NameReadStatus.Ok, Read(message, start, out var name, out var end));
        Assert.Equal("www.example.local.", name);
        Assert.Equal(message.Length, end);
    }

    [Fact]
    public void TryRead_PointerToItself_IsRejected()
    {
        byte[] message = [.. Header, 0xC0, 12];
        Assert.Equal(NameReadStatus.BadPointer, Read(message, 12, out _, out _));
    }

    [Fact]
    public void TryRead_LoopThroughEarlierLabels_IsRejected()
    {
        // "a" then a pointer back to "a": a → a → a … forever, unless pointers must go strictly backwards.
        byte[] message = [.. Header, 1, (byte)'a', 0xC0, 12];
        Assert.Equal(NameReadStatus.BadPointer, Read(message, 12, out _, out _));
    }

    [Fact]
    public void TryRead_TwoPointersPointingAtEachOther_IsRejected()
    {
        // At 12: pointer to 14; at 14: pointer to 12.
        byte[] message = [.. Header, 0xC0, 14, 0xC0, 12];
        Assert.Equal(NameReadStatus.BadPointer, Read(message, 14, out _, out _));
        Assert.Equal(NameReadStatus.BadPointer, Read(message, 12, out _, out _));
    }

    [Fact]
    public void TryRead_ForwardPointer_IsRejected()
    {
        byte[] message = [.. Header, 0xC0, 14, .. Query.Name("x")];
        Assert.Equal(NameReadStatus.BadPointer, Read(message, 12, out _, out _));
    }

    [Fact]
    public void TryRead_PointerIntoHeader_IsRejected()
    {
        byte[] message = [.. Header, 0xC0, 4];
        Assert.Equal(NameReadStatus.BadPointer, Read(message, 12, out _, out _));
    }

    [Fact]
    public void TryRead_LongChainOfBackwardPointers_StopsAtHopLimit()
    {
        // A root name at 12, then 40 pointers each pointing at the one before: legal one by one, too many in all.
        var message = new List<byte>(Header) { 0 };
        for (var i = 0; i < 40; i++)
        {
            var previous = i == 0 ? 12 : 13 + 2 * (i - 1);
            message.AddRange([0xC0, (byte)previous]);
        }

        Assert.Equal(NameReadStatus.TooManyHops, Read([.. message], message.Count - 2, out _, out _));
        Assert.Equal(NameReadStatus.Ok, Read([.. message], 13 + 2 * 10, out var name, out _));
        Assert.Equal(".", name);
    }

    [Theory]
    [InlineData(0x40)]
    [InlineData(0x80)]
    public void TryRead_ReservedLabelTypes_AreRejected(byte type)
    {
        byte[] message = [.. Header, type, 1, 0];
        Assert.Equal(NameReadStatus.BadLabelType, Read(message, 12, out _, out _));
    }

    [Fact]
    public void TryRead_NameOver255Octets_IsRejected()
    {
        // Five 63-octet labels: 320 octets expanded.
        var message = new List<byte>(Header);
        for (var i = 0; i < 5; i++)
        {
            message.Add(63);
            message.AddRange(Enumerable.Repeat((byte)'a', 63));
        }

        message.Add(0);
        Assert.Equal(NameReadStatus.TooLong, Read([.. message], 12, out _, out _));
    }

    [Fact]
    public void TryRead_PointersExpandingPast255Octets_AreRejected()
    {
        // 4 × 63-octet labels (256 with root) reached through a pointer after another label.
        var message = new List<byte>(Header);
        for (var i = 0; i < 3; i++)
        {
            message.Add(63);
            message.AddRange(Enumerable.Repeat((byte)'b', 63));
        }

        message.Add(0);
        var second = message.Count;
        message.Add(63);
        message.AddRange(Enumerable.Repeat((byte)'c', 63));
        message.AddRange([0xC0, 12]);
        Assert.Equal(NameReadStatus.Ok, Read([.. message], 12, out _, out _));
        Assert.Equal(NameReadStatus.TooLong, Read([.. message], second, out _, out _));
    }

    [Theory]
    [InlineData(new byte[] { 3, (byte)'w', (byte)'w' })]
    [InlineData(new byte[] { 3, (byte)'w', (byte)'w', (byte)'w' })]
    [InlineData(new byte[] { 0xC0 })]
    [InlineData(new byte[0])]
    public void TryRead_MessageEndsInsideName_IsTruncated(byte[] tail)
    {
        byte[] message = [.. Header, .. tail];
        Assert.Equal(NameReadStatus.Truncated, Read(message, 12, out _, out _));
    }
}
