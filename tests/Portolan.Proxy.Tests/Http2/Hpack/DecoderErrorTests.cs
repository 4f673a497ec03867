using System.Text;
using Portolan.Proxy.Http2.Hpack;

namespace Portolan.Proxy.Tests.Http2.Hpack;

/// <summary>Malformed blocks are compression errors; limits and uppercase names are stream-level outcomes.</summary>
public sealed class DecoderErrorTests
{
    private static DecodeStatus Decode(HpackDecoder decoder, string hex) => HeaderCollector.Decode(decoder, HeaderCollector.Hex(hex)).Status;

    // A literal field: pattern 0x40 (incremental indexing), 0x00 (without) or 0x10 (never), name by static index
    // or (index 0) as a plain string, plain value.
    private static byte[] Literal(byte pattern, int nameIndex, string name, string value)
    {
        var block = new List<byte>();
        var prefixBits = pattern == 0x40 ? 6 : 4;
        var buffer = new byte[16];
        HpackInteger.TryEncode(nameIndex, prefixBits, pattern, buffer, out var written);
        block.AddRange(buffer[..written]);
        foreach (var text in nameIndex == 0 ? new[] { name, value } : [value])
        {
            HpackInteger.TryEncode(text.Length, 7, 0, buffer, out written);
            block.AddRange(buffer[..written]);
            block.AddRange(Encoding.Latin1.GetBytes(text));
        }
        return [.. block];
    }

    [Theory]
    [InlineData("ff")] // indexed, prefix full, continuation missing
    [InlineData("ff80")] // continuation byte says more follows, nothing does
    [InlineData("ffffffffff0f")] // 127 + 0x0fffffff... past int.MaxValue
    [InlineData("ff808080808000")] // over five continuation bytes, even with zero bits
    [InlineData("3fffffffff0f")] // size update overflowing
    [InlineData("80")] // index 0
    [InlineData("be")] // index 62: the dynamic table is empty
    [InlineData("ff00")] // index 127
    [InlineData("7e0161")] // literal with indexing, name index 62 of an empty table
    [InlineData("0f3001")] // literal without indexing, name index 63
    [InlineData("40")] // literal with a new name: name length missing
    [InlineData("4003616263")] // name, no value
    [InlineData("41")] // literal with indexed name, value missing
    [InlineData("0105616263")] // value length 5, three bytes left
    public void Malformed_blocks_are_compression_errors(string hex) => Assert.Equal(DecodeStatus.CompressionError, Decode(new HpackDecoder(), hex));

    [Theory]
    [InlineData("01821fff")] // :authority with a Huffman value: 'a' then 11 bits of padding
    [InlineData("018118")] // 'a' then padding 000
    [InlineData("0184ffffffff")] // EOS
    [InlineData("0085ffffffff0f0161")] // a Huffman name holding EOS
    [InlineData("0181")] // Huffman length past the block
    public void Bad_huffman_strings_are_compression_errors(string hex) => Assert.Equal(DecodeStatus.CompressionError, Decode(new HpackDecoder(), hex));

    [Fact]
    public void Index_just_past_the_dynamic_table_is_rejected()
    {
        var decoder = new HpackDecoder();
        Assert.Equal(DecodeStatus.Success, decoder.Decode(Literal(0x40, 0, "x-a", "1"), new HeaderCollector()));
        Assert.Equal(DecodeStatus.Success, Decode(decoder, "be")); // 62: the entry just added
        Assert.Equal(DecodeStatus.CompressionError, Decode(decoder, "bf")); // 63
    }

    [Fact]
    public void Size_updates_only_at_the_start_and_never_above_the_settings_value()
    {
        Assert.Equal(DecodeStatus.Success, Decode(new HpackDecoder(), "3fe11f82")); // 4096, then a field
        Assert.Equal(DecodeStatus.CompressionError, Decode(new HpackDecoder(), "3fe21f82")); // 4097
        Assert.Equal(DecodeStatus.CompressionError, Decode(new HpackDecoder(maxTableSize: 256), "3fe201")); // 257
        Assert.Equal(DecodeStatus.CompressionError, Decode(new HpackDecoder(), "8220")); // after a field
        Assert.Equal(DecodeStatus.Success, Decode(new HpackDecoder(), "203fe11f82")); // two at the start (§4.2)
    }

    [Fact]
    public void A_size_update_evicts_and_limits_later_entries()
    {
        var decoder = new HpackDecoder();
        decoder.Decode([.. Literal(0x40, 0, "x-a", "1"), .. Literal(0x40, 0, "x-b", "2")], new HeaderCollector());
        Assert.Equal(["x-b: 2", "x-a: 1"], HeaderCollector.DynamicTable(decoder));

        Assert.Equal(DecodeStatus.Success, Decode(decoder, "3f0582")); // 36: room for one entry of 4 bytes
        Assert.Equal(["x-b: 2"], HeaderCollector.DynamicTable(decoder));
        Assert.Equal(36, decoder.TableCapacity);

        decoder.Decode(Literal(0x40, 0, "x-c", "3"), new HeaderCollector());
        Assert.Equal(["x-c: 3"], HeaderCollector.DynamicTable(decoder));
        decoder.Decode(Literal(0x40, 0, "x-long", "value"), new HeaderCollector()); // 43 > 36: empties the table
        Assert.Equal(0, decoder.TableCount);

        Assert.Equal(DecodeStatus.Success, Decode(decoder, "20"));
        Assert.Equal(0, decoder.TableCapacity);
        Assert.Equal(DecodeStatus.Success, Decode(decoder, "3fe11f"));
        Assert.Equal(4096, decoder.TableCapacity);
    }

    [Fact]
    public void Random_bytes_never_throw()
    {
        var random = new Random(1);
        var decoder = new HpackDecoder(maxTableSize: 256, maxHeaderListSize: 1024);
        var sink = new HeaderCollector();
        var block = new byte[64];
        for (var i = 0; i < 50000; i++)
        {
            var length = random.Next(0, block.Length);
            random.NextBytes(block.AsSpan(0, length));
            var status = decoder.Decode(block.AsSpan(0, length), sink);
            Assert.True(Enum.IsDefined(status));
            if (status == DecodeStatus.CompressionError) decoder = new HpackDecoder(maxTableSize: 256, maxHeaderListSize: 1024);
            sink.Fields.Clear();
        }
    }

    [Fact]
    public void Header_list_over_the_limit_is_reported_and_the_table_kept_in_step()
    {
        var decoder = new HpackDecoder(maxHeaderListSize: 100);
        var sink = new HeaderCollector();
        // 40 + 40 fits, the third field crosses 100; the fourth is still added to the table.
        byte[] block = [.. Literal(0x00, 0, "x-a", "12345"), .. Literal(0x00, 0, "x-b", "12345"),
            .. Literal(0x00, 0, "x-c", "12345"), .. Literal(0x40, 0, "x-d", "12345")];
        Assert.Equal(DecodeStatus.HeaderListTooLarge, decoder.Decode(block, sink));
        Assert.Equal(["x-a", "x-b"], sink.Fields.Select(f => f.Name));
        Assert.Equal(["x-d: 12345"], HeaderCollector.DynamicTable(decoder));

        // The next block on the connection decodes normally, referring to that entry.
        var (status, fields) = HeaderCollector.Decode(decoder, [0xBE]);
        Assert.Equal(DecodeStatus.Success, status);
        Assert.Equal(["x-d: 12345"], fields);
    }

    [Fact]
    public void A_string_over_the_limit_is_skipped_and_empties_the_table_it_would_have_entered()
    {
        var decoder = new HpackDecoder(maxTableSize: 256, maxStringLength: 300);
        decoder.Decode(Literal(0x40, 0, "x-a", "1"), new HeaderCollector());
        Assert.Equal(1, decoder.TableCount);

        var sink = new HeaderCollector();
        byte[] block = [.. Literal(0x00, 0, "x-b", "2"), .. Literal(0x40, 0, "x-big", new string('v', 301)), .. Literal(0x00, 0, "x-c", "3")];
        Assert.Equal(DecodeStatus.HeaderListTooLarge, decoder.Decode(block, sink));
        Assert.Equal(["x-b"], sink.Fields.Select(f => f.Name));
        Assert.Equal(0, decoder.TableCount); // as the peer's: a 338-byte entry empties a 256-byte table

        // The same for a Huffman value that decodes past the limit (each '0' is 5 bits).
        var encoder = new HpackEncoder();
        var buffer = new byte[1024];
        Assert.True(encoder.TryEncode("x-big"u8, Encoding.ASCII.GetBytes(new string('0', 301)), false, buffer, out var written));
        Assert.Equal(0x0, buffer[0] & 0xF0); // literal without indexing
        Assert.Equal(DecodeStatus.HeaderListTooLarge, decoder.Decode(buffer.AsSpan(0, written), new HeaderCollector()));
        Assert.Equal(DecodeStatus.Success, Decode(decoder, "82"));

        Assert.Throws<ArgumentOutOfRangeException>(() => new HpackDecoder(maxTableSize: 4096, maxStringLength: 1000));
    }

    [Fact]
    public void Uppercase_names_are_malformed_but_the_block_is_still_decoded()
    {
        var decoder = new HpackDecoder();
        var sink = new HeaderCollector();
        byte[] block = [0x82, .. Literal(0x40, 0, "X-Upper", "1"), .. Literal(0x40, 0, "x-lower", "2")];
        Assert.Equal(DecodeStatus.UppercaseName, decoder.Decode(block, sink));
        Assert.Equal([":method"], sink.Fields.Select(f => f.Name));
        Assert.Equal(2, decoder.TableCount);
        var (status, fields) = HeaderCollector.Decode(decoder, [0xBE]);
        Assert.Equal(DecodeStatus.Success, status);
        Assert.Equal(["x-lower: 2"], fields);
        Assert.Equal(DecodeStatus.UppercaseName, Decode(decoder, "bf")); // the uppercase entry, now indexed
    }
}
