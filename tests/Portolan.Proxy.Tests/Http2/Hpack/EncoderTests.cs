using System.Text;
using Portolan.Proxy.Http2.Hpack;

namespace Portolan.Proxy.Tests.Http2.Hpack;

public sealed class EncoderTests
{
    private static readonly (string Name, string Value, bool Sensitive)[] s_request =
    [
        (":method", "GET", false), (":scheme", "https", false), (":authority", "shop.example.com", false),
        (":path", "/api/v1/items?id=42&sort=desc", false), ("user-agent", "Mozilla/5.0 (X11; Linux x86_64) Firefox/133.0", false),
        ("accept", "application/json, text/plain, */*", false), ("accept-encoding", "gzip, deflate", false),
        ("accept-language", "en-US,en;q=0.5", false), ("authorization", "Bearer eyJhbGciOiJIUzI1NiJ9.e30.abc", true),
        ("cookie", "AWSALB=Zm9vYmFy; session=1", true), ("x-forwarded-for", "192.0.2.1", false),
        ("x-amzn-trace-id", "Root=1-67891233-abcdef012345678912345678", false), ("te", "trailers", false), ("empty", "", false),
    ];

    private static readonly (string Name, string Value, bool Sensitive)[] s_response =
    [
        (":status", "200", false), ("content-type", "application/json; charset=utf-8", false), ("content-length", "1234", false),
        ("date", "Mon, 25 Nov 2026 10:00:00 GMT", false), ("server", "portolan", false), ("cache-control", "no-cache", false),
        ("set-cookie", "AWSALB=abc123; Expires=Mon, 02 Dec 2026 10:00:00 GMT; Path=/", false), ("vary", "Accept-Encoding", false),
        (":status", "404", false), ("x-binary", "\u0000\u0001\u00ff\u007f\r", false),
    ];

    private static readonly (string Name, string Value, bool Sensitive)[] s_grpc =
    [
        (":method", "POST", false), (":scheme", "http", false), (":path", "/echo.Echo/Say", false), (":authority", "127.0.0.1:5001", false),
        ("content-type", "application/grpc", false), ("te", "trailers", false), ("grpc-timeout", "1S", false),
        ("grpc-accept-encoding", "identity,deflate,gzip", false), ("user-agent", "grpc-dotnet/2.67.0 (.NET 10.0.0; CLR 10.0.0; net10.0; linux; x64)", false),
        (":status", "200", false), ("grpc-encoding", "identity", false), ("grpc-status", "0", false), ("grpc-message", "", false),
        ("grpc-status-details-bin", "CAUSBW5vdCBmb3VuZA", false),
    ];

    public static TheoryData<string> HeaderSets => ["request", "response", "grpc"];

    [Theory]
    [MemberData(nameof(HeaderSets))]
    public void Header_sets_round_trip(string set)
    {
        var fields = set switch { "request" => s_request, "response" => s_response, _ => s_grpc };
        var encoder = new HpackEncoder();
        var block = new byte[4096];
        var length = 0;
        foreach (var (name, value, sensitive) in fields)
        {
            Assert.True(encoder.TryEncode(Encoding.Latin1.GetBytes(name), Encoding.Latin1.GetBytes(value), sensitive, block.AsSpan(length), out var written));
            length += written;
        }

        var decoder = new HpackDecoder();
        var sink = new HeaderCollector();
        for (var round = 0; round < 2; round++) // the encoder leaves the peer's table alone, so blocks stand alone
        {
            sink.Fields.Clear();
            Assert.Equal(DecodeStatus.Success, decoder.Decode(block.AsSpan(0, length), sink));
            Assert.Equal(fields, sink.Fields);
            Assert.Equal(0, decoder.TableCount);
        }
    }

    [Theory]
    [InlineData(":method", "GET", false, "82")] // static name and value: indexed
    [InlineData(":status", "200", false, "88")]
    [InlineData("accept-encoding", "gzip, deflate", false, "90")]
    [InlineData("accept-charset", "", false, "8f")] // a name-only entry with an empty value
    [InlineData(":method", "GET", true, "1203474554")] // sensitive: never indexed, even when the static table has it
    [InlineData(":status", "201", false, "08821003")] // static name (8), another value, Huffman-coded (2 bytes < 3)
    [InlineData("content-type", "application/grpc", false, "0f108b1d75d0620d263d4c4d6564")] // name 31, Huffman value
    [InlineData("authorization", "x", true, "1f080178")] // name 23, never indexed, plain
    [InlineData("x-id", "7", false, "0083f2b1a40137")] // new name Huffman-coded (3 bytes < 4), value plain (1 is not < 1)
    public void Wire_form(string name, string value, bool sensitive, string hex)
    {
        var buffer = new byte[256];
        Assert.True(new HpackEncoder().TryEncode(Encoding.ASCII.GetBytes(name), Encoding.ASCII.GetBytes(value), sensitive, buffer, out var written));
        Assert.Equal(hex, Convert.ToHexStringLower(buffer, 0, written));
    }

    [Fact]
    public void Names_are_written_lowercase()
    {
        var encoder = new HpackEncoder();
        var lower = new byte[128];
        var mixed = new byte[128];
        Assert.True(encoder.TryEncode("content-type"u8, "text/html"u8, false, lower, out var lowerLength));
        Assert.True(encoder.TryEncode("Content-Type"u8, "text/html"u8, false, mixed, out var mixedLength));
        Assert.Equal(lower[..lowerLength], mixed[..mixedLength]);

        var longName = Encoding.ASCII.GetBytes("X-" + new string('A', 300));
        var block = new byte[512];
        Assert.True(encoder.TryEncode(longName, "1"u8, false, block, out var written));
        var (status, fields) = HeaderCollector.Decode(new HpackDecoder(), block[..written]);
        Assert.Equal(DecodeStatus.Success, status);
        Assert.Equal("x-" + new string('a', 300) + ": 1", Assert.Single(fields));
    }

    [Fact]
    public void A_destination_too_short_is_refused_without_a_partial_count()
    {
        var encoder = new HpackEncoder();
        var full = new byte[256];
        Assert.True(encoder.TryEncode("x-request-id"u8, "0123456789abcdef0123456789abcdef"u8, false, full, out var needed));
        for (var size = 0; size < needed; size++)
        {
            Assert.False(encoder.TryEncode("x-request-id"u8, "0123456789abcdef0123456789abcdef"u8, false, new byte[size], out var written));
            Assert.Equal(0, written);
        }
        var exact = new byte[needed];
        Assert.True(encoder.TryEncode("x-request-id"u8, "0123456789abcdef0123456789abcdef"u8, false, exact, out _));
        Assert.Equal(full[..needed], exact);
    }

    [Fact]
    public void Long_values_round_trip_with_multi_byte_lengths()
    {
        var random = new Random(3);
        var encoder = new HpackEncoder();
        var decoder = new HpackDecoder();
        var block = new byte[70000];
        foreach (var length in new[] { 126, 127, 128, 255, 16383, 16384, 60000 })
        {
            var value = new byte[length];
            random.NextBytes(value); // random bytes: plain is shorter
            Assert.True(encoder.TryEncode("x-blob"u8, value, false, block, out var written));
            var sink = new HeaderCollector();
            Assert.Equal(DecodeStatus.Success, decoder.Decode(block.AsSpan(0, written), sink));
            Assert.Equal(Encoding.Latin1.GetString(value), Assert.Single(sink.Fields).Value);

            var text = Encoding.ASCII.GetBytes(new string('e', length)); // Huffman is shorter
            Assert.True(encoder.TryEncode("x-text"u8, text, false, block, out written));
            sink.Fields.Clear();
            Assert.Equal(DecodeStatus.Success, decoder.Decode(block.AsSpan(0, written), sink));
            Assert.Equal(Encoding.ASCII.GetString(text), Assert.Single(sink.Fields).Value);
        }
    }

    [Theory]
    [InlineData(0, "20")]
    [InlineData(30, "3e")]
    [InlineData(4096, "3fe11f")]
    public void Table_size_updates(int size, string hex)
    {
        var buffer = new byte[8];
        Assert.True(HpackEncoder.TryEncodeTableSizeUpdate(size, buffer, out var written));
        Assert.Equal(hex, Convert.ToHexStringLower(buffer, 0, written));

        var decoder = new HpackDecoder();
        Assert.Equal(DecodeStatus.Success, decoder.Decode([.. buffer[..written], 0x82], new HeaderCollector()));
        Assert.Equal(size, decoder.TableCapacity);
    }
}
