using Portolan.Proxy.Http2.Hpack;

namespace Portolan.Proxy.Tests.Http2.Hpack;

/// <summary>Every header block example of RFC 7541 Appendix C, decoded, with the dynamic table after each.</summary>
public sealed class RfcExampleTests
{
    private static void AssertDecodes(HpackDecoder decoder, string hex, string[] fields, string[] table, int tableSize)
    {
        var (status, decoded) = HeaderCollector.Decode(decoder, HeaderCollector.Hex(hex));
        Assert.Equal(DecodeStatus.Success, status);
        Assert.Equal(fields, decoded);
        Assert.Equal(table, HeaderCollector.DynamicTable(decoder));
        Assert.Equal(tableSize, decoder.TableSize);
    }

    [Fact] // C.2.1
    public void Literal_with_indexing()
    {
        var decoder = new HpackDecoder();
        AssertDecodes(decoder, "400a 6375 7374 6f6d 2d6b 6579 0d63 7573 746f 6d2d 6865 6164 6572",
            ["custom-key: custom-header"], ["custom-key: custom-header"], 55);
    }

    [Fact] // C.2.2
    public void Literal_without_indexing()
    {
        var decoder = new HpackDecoder();
        AssertDecodes(decoder, "040c 2f73 616d 706c 652f 7061 7468", [":path: /sample/path"], [], 0);
    }

    [Fact] // C.2.3
    public void Literal_never_indexed()
    {
        var decoder = new HpackDecoder();
        var sink = new HeaderCollector();
        Assert.Equal(DecodeStatus.Success, decoder.Decode(HeaderCollector.Hex("1008 7061 7373 776f 7264 0673 6563 7265 74"), sink));
        Assert.Equal([("password", "secret", true)], sink.Fields);
        Assert.Equal(0, decoder.TableCount);
    }

    [Fact] // C.2.4
    public void Indexed_field()
    {
        var decoder = new HpackDecoder();
        AssertDecodes(decoder, "82", [":method: GET"], [], 0);
    }

    [Theory] // C.3 (plain) and C.4 (Huffman): three requests on one connection
    [InlineData(
        "8286 8441 0f77 7777 2e65 7861 6d70 6c65 2e63 6f6d",
        "8286 84be 5808 6e6f 2d63 6163 6865",
        "8287 85bf 400a 6375 7374 6f6d 2d6b 6579 0c63 7573 746f 6d2d 7661 6c75 65")]
    [InlineData(
        "8286 8441 8cf1 e3c2 e5f2 3a6b a0ab 90f4 ff",
        "8286 84be 5886 a8eb 1064 9cbf",
        "8287 85bf 4088 25a8 49e9 5ba9 7d7f 8925 a849 e95b b8e8 b4bf")]
    public void Requests(string first, string second, string third)
    {
        var decoder = new HpackDecoder();
        AssertDecodes(decoder, first,
            [":method: GET", ":scheme: http", ":path: /", ":authority: www.example.com"],
            [":authority: www.example.com"], 57);
        AssertDecodes(decoder, second,
            [":method: GET", ":scheme: http", ":path: /", ":authority: www.example.com", "cache-control: no-cache"],
            ["cache-control: no-cache", ":authority: www.example.com"], 110);
        AssertDecodes(decoder, third,
            [":method: GET", ":scheme: https", ":path: /index.html", ":authority: www.example.com", "custom-key: custom-value"],
            ["custom-key: custom-value", "cache-control: no-cache", ":authority: www.example.com"], 164);
    }

    [Theory] // C.5 (plain) and C.6 (Huffman): three responses, SETTINGS_HEADER_TABLE_SIZE 256, so entries are evicted
    [InlineData(
        """
        4803 3330 3258 0770 7269 7661 7465 611d 4d6f 6e2c 2032 3120 4f63 7420 3230 3133 2032 303a 3133 3a32 3120 474d
        546e 1768 7474 7073 3a2f 2f77 7777 2e65 7861 6d70 6c65 2e63 6f6d
        """,
        "4803 3330 37c1 c0bf",
        """
        88c1 611d 4d6f 6e2c 2032 3120 4f63 7420 3230 3133 2032 303a 3133 3a32 3220 474d 54c0 5a04 677a 6970 7738 666f
        6f3d 4153 444a 4b48 514b 425a 584f 5157 454f 5049 5541 5851 5745 4f49 553b 206d 6178 2d61 6765 3d33 3630 303b
        2076 6572 7369 6f6e 3d31
        """)]
    [InlineData(
        """
        4882 6402 5885 aec3 771a 4b61 96d0 7abe 9410 54d4 44a8 2005 9504 0b81 66e0 82a6 2d1b ff6e 919d 29ad 1718 63c7
        8f0b 97c8 e9ae 82ae 43d3
        """,
        "4883 640e ffc1 c0bf",
        """
        88c1 6196 d07a be94 1054 d444 a820 0595 040b 8166 e084 a62d 1bff c05a 839b d9ab 77ad 94e7 821d d7f2 e6c7 b335
        dfdf cd5b 3960 d5af 2708 7f36 72c1 ab27 0fb5 291f 9587 3160 65c0 03ed 4ee5 b106 3d50 07
        """)]
    public void Responses(string first, string second, string third)
    {
        const string Date21 = "date: Mon, 21 Oct 2013 20:13:21 GMT";
        const string Date22 = "date: Mon, 21 Oct 2013 20:13:22 GMT";
        const string Location = "location: https://www.example.com";
        const string Cookie = "set-cookie: foo=ASDJKHQKBZXOQWEOPIUAXQWEOIU; max-age=3600; version=1";
        var decoder = new HpackDecoder(maxTableSize: 256);
        AssertDecodes(decoder, first,
            [":status: 302", "cache-control: private", Date21, Location],
            [Location, Date21, "cache-control: private", ":status: 302"], 222);
        AssertDecodes(decoder, second,
            [":status: 307", "cache-control: private", Date21, Location],
            [":status: 307", Location, Date21, "cache-control: private"], 222);
        AssertDecodes(decoder, third,
            [":status: 200", "cache-control: private", Date22, Location, "content-encoding: gzip", Cookie],
            [Cookie, "content-encoding: gzip", Date22], 215);
    }

    [Theory] // C.1: integer representation
    [InlineData(10, 5, "0a")]
    [InlineData(1337, 5, "1f9a0a")]
    [InlineData(42, 8, "2a")]
    public void Integers(int value, int prefixBits, string hex)
    {
        var buffer = new byte[8];
        Assert.True(HpackInteger.TryEncode(value, prefixBits, 0, buffer, out var written));
        Assert.Equal(hex, Convert.ToHexStringLower(buffer, 0, written));

        var position = 0;
        Assert.True(HpackInteger.TryDecode(Convert.FromHexString(hex), ref position, prefixBits, out var decoded));
        Assert.Equal(value, decoded);
        Assert.Equal(written, position);
    }
}
