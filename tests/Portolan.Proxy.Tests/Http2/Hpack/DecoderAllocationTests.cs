using Portolan.Proxy.Http2.Hpack;

namespace Portolan.Proxy.Tests.Http2.Hpack;

public sealed class DecoderAllocationTests
{
    private sealed class CountingSink : IHeaderSink
    {
        public int Fields;
        public long Bytes;

        public void OnHeader(ReadOnlySpan<byte> name, ReadOnlySpan<byte> value, bool neverIndexed)
        {
            Fields++;
            Bytes += name.Length + value.Length;
        }
    }

    [Fact]
    public void Decoding_a_typical_request_block_does_not_allocate_after_warm_up()
    {
        // A browser-like request as a client's encoder sends it: static indices, Huffman literals, and fields added
        // to the dynamic table on every block, so entries are evicted and the table's bytes compacted as it runs.
        var block = new byte[1024];
        var length = 0;
        var encoder = new HpackEncoder();
        void Add(ReadOnlySpan<byte> name, ReadOnlySpan<byte> value)
        {
            Assert.True(encoder.TryEncode(name, value, false, block.AsSpan(length), out var written));
            length += written;
        }
        Add(":method"u8, "GET"u8);
        Add(":scheme"u8, "https"u8);
        Add(":path"u8, "/api/v1/items?id=42&sort=desc"u8);
        Add("user-agent"u8, "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0"u8);
        Add("accept-encoding"u8, "gzip, deflate"u8);
        Add("authorization"u8, "Bearer eyJhbGciOiJIUzI1NiJ9.e30.ZRrHA1JJJW8opsbCGfG_HACGpVUMN_a9IV7pAx_Zmeo"u8);
        // Literal with incremental indexing, Huffman name and value (what real encoders do for repeated fields).
        block[length++] = 0x40;
        length += WriteHuffman("x-request-id"u8, block.AsSpan(length));
        length += WriteHuffman("4f2a9c1e-8b7d-4e3f-9a6b-1c2d3e4f5a6b"u8, block.AsSpan(length));
        block[length++] = 0x41; // :authority, indexed name
        length += WriteHuffman("shop.example.com"u8, block.AsSpan(length));
        block[length++] = 0xBF; // dynamic index 2: x-request-id, added above
        block[length++] = 0xBE; // dynamic index 1: :authority

        var decoder = new HpackDecoder(maxTableSize: 256); // small, so every block evicts
        var sink = new CountingSink();
        for (var i = 0; i < 100; i++) Assert.Equal(DecodeStatus.Success, decoder.Decode(block.AsSpan(0, length), sink));

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1000; i++) decoder.Decode(block.AsSpan(0, length), sink);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        sink.Fields = 0;
        Assert.Equal(DecodeStatus.Success, decoder.Decode(block.AsSpan(0, length), sink));
        Assert.Equal(10, sink.Fields);
        Assert.Equal(0, allocated);
    }

    private static int WriteHuffman(ReadOnlySpan<byte> text, Span<byte> destination)
    {
        var length = (int)Huffman.EncodedLength(text);
        Assert.True(HpackInteger.TryEncode(length, 7, 0x80, destination, out var prefix));
        return prefix + Huffman.Encode(text, destination[prefix..]);
    }
}
