using System.Text;
using Portolan.Proxy.Http1.Parsing;

namespace Portolan.Proxy.Tests.Http1.Parsing;

public sealed class ChunkedBodyScannerTests
{
    private const string Next = "GET /next HTTP/1.1\r\n"; // what follows the body on the connection

    public static TheoryData<string> Bodies => new()
    {
        "0\r\n\r\n",
        "5\r\nhello\r\n0\r\n\r\n",
        "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n",
        "A\r\n0123456789\r\na\r\n0123456789\r\n0\r\n\r\n",
        "000005\r\nhello\r\n000\r\n\r\n",
        "5;name=value\r\nhello\r\n0;last\r\n\r\n",
        "5 ;a=\"quoted ; \\\"x\\\"\"\r\nhello\r\n0\r\n\r\n",
        "5\t; a = b\r\nhello\r\n0\r\n\r\n",
        "4\r\n\r\n\r\n\r\n0\r\n\r\n", // data that looks like line ends
        "3\r\n0\r\n\r\n0\r\nExpires: never\r\nX-Checksum: abc\r\n\r\n",
        "0\r\nTrailer: caf\u00e9\r\n\r\n",
    };

    [Theory]
    [MemberData(nameof(Bodies))]
    public void Finds_the_end_in_one_piece(string body)
    {
        var data = Encoding.Latin1.GetBytes(body + Next);
        var scanner = new ChunkedBodyScanner();
        Assert.Equal(body.Length, scanner.Scan(data));
        Assert.True(scanner.Done);
        Assert.False(scanner.Failed);
        Assert.Equal(0, scanner.Scan(data.AsSpan(body.Length)));
    }

    [Theory]
    [MemberData(nameof(Bodies))]
    public void Finds_the_end_fed_one_byte_at_a_time(string body)
    {
        var data = Encoding.Latin1.GetBytes(body + Next);
        var scanner = new ChunkedBodyScanner();
        var offset = 0;
        while (!scanner.Done)
        {
            Assert.False(scanner.Failed);
            Assert.True(offset < data.Length, "ran past the body");
            offset += scanner.Scan(data.AsSpan(offset, 1));
        }
        Assert.Equal(body.Length, offset);
    }

    [Fact]
    public void Finds_the_end_fed_in_random_splits()
    {
        var random = new Random(1234);
        var body = BigBody(random);
        var data = Encoding.Latin1.GetBytes(body + Next);
        for (var round = 0; round < 200; round++)
        {
            var scanner = new ChunkedBodyScanner();
            var offset = 0;
            while (!scanner.Done)
            {
                Assert.False(scanner.Failed);
                var piece = Math.Min(random.Next(1, 64) * (random.Next(4) == 0 ? 100 : 1), data.Length - offset);
                var consumed = scanner.Scan(data.AsSpan(offset, piece));
                Assert.True(scanner.Done || consumed == piece);
                offset += consumed;
            }
            Assert.Equal(body.Length, offset);
        }
    }

    [Fact]
    public void Reset_starts_a_new_body()
    {
        var scanner = new ChunkedBodyScanner();
        Assert.Equal(0, scanner.Scan("x\r\n"u8)); // the offending byte's offset
        Assert.True(scanner.Failed);
        Assert.Equal(0, scanner.Scan("0\r\n\r\n"u8));
        scanner.Reset();
        Assert.Equal(5, scanner.Scan("0\r\n\r\n"u8));
        Assert.True(scanner.Done);
    }

    [Fact]
    public void Big_chunks_are_skipped_without_looking_at_them()
    {
        var scanner = new ChunkedBodyScanner();
        var size = ChunkedBodyScanner.MaxChunkSize; // 2^62: fine, and only counted
        Assert.Equal(18, scanner.Scan(Encoding.ASCII.GetBytes(size.ToString("x") + "\r\n"))); // "4000000000000000\r\n"
        var block = new byte[1 << 20];
        for (var i = 0; i < 16; i++) Assert.Equal(block.Length, scanner.Scan(block));
        Assert.False(scanner.Done || scanner.Failed);
    }

    [Theory]
    [InlineData("")] // no size
    [InlineData("\r\n")]
    [InlineData("g\r\n")]
    [InlineData("-5\r\n")]
    [InlineData(" 5\r\n")]
    [InlineData("0x5\r\n")]
    [InlineData("5\n")] // bare LF
    [InlineData("5\rx")]
    [InlineData("5 \r\n")] // whitespace without an extension
    [InlineData("5 x\r\n")]
    [InlineData("5;a\nb\r\n")]
    [InlineData("5;a\u0001\r\n")]
    [InlineData("5;a\u007f\r\n")]
    [InlineData("5\r\nhello0\r\n\r\n")] // data not followed by CRLF
    [InlineData("5\r\nhello\n0\r\n\r\n")]
    [InlineData("5\r\nhelloX\n")]
    [InlineData("0\r\nX: 1\n\r\n")] // trailer with a bare LF
    [InlineData("0\r\nX: 1\rY\r\n\r\n")]
    [InlineData("0\r\n\n")]
    [InlineData("0\r\n\rX")]
    [InlineData("4000000000000001\r\n")] // 2^62 + 1
    [InlineData("10000000000000000\r\n")] // 2^64
    [InlineData("ffffffffffffffffffff\r\n")]
    public void Malformed_bodies_fail(string body)
    {
        var data = Encoding.Latin1.GetBytes(body + "\r\n\r\n0\r\n\r\n");
        var scanner = new ChunkedBodyScanner();
        scanner.Scan(data);
        Assert.True(scanner.Failed);
        Assert.False(scanner.Done);

        var bytewise = new ChunkedBodyScanner();
        for (var i = 0; i < data.Length && !bytewise.Failed; i++) bytewise.Scan(data.AsSpan(i, 1));
        Assert.True(bytewise.Failed);
    }

    [Fact]
    public void Size_line_limit()
    {
        var ok = "5;" + new string('e', ChunkedBodyScanner.MaxSizeLine - 2) + "\r\nhello\r\n0\r\n\r\n";
        var tooLong = "5;" + new string('e', ChunkedBodyScanner.MaxSizeLine - 1) + "\r\nhello\r\n0\r\n\r\n";
        var zeros = new string('0', ChunkedBodyScanner.MaxSizeLine) + "5\r\nhello\r\n0\r\n\r\n";
        Assert.True(ScanWhole(ok).Done);
        Assert.True(ScanWhole(tooLong).Failed);
        Assert.True(ScanWhole(zeros).Failed);
    }

    [Fact]
    public void Trailer_section_limit()
    {
        var line = "X-T: " + new string('t', 1000 - 7) + "\r\n"; // 1000 bytes
        var fits = "0\r\n" + string.Concat(Enumerable.Repeat(line, 65)) + new string('y', 536 - 2) + "\r\n\r\n"; // 65,536 + 2
        var over = "0\r\n" + string.Concat(Enumerable.Repeat(line, 65)) + new string('y', 537 - 2) + "\r\n\r\n";
        Assert.True(ScanWhole(fits).Done);
        Assert.True(ScanWhole(over).Failed);
    }

    [Fact]
    public void Scan_does_not_allocate()
    {
        var data = Encoding.Latin1.GetBytes(BigBody(new Random(7)));
        var scanner = new ChunkedBodyScanner();
        scanner.Scan(data);
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1000; i++)
        {
            scanner.Reset();
            scanner.Scan(data);
        }
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.True(scanner.Done);
    }

    private static ChunkedBodyScanner ScanWhole(string body)
    {
        var scanner = new ChunkedBodyScanner();
        var data = Encoding.Latin1.GetBytes(body);
        var consumed = scanner.Scan(data);
        if (scanner.Done) Assert.Equal(data.Length, consumed);
        return scanner;
    }

    /// <summary>Chunks of assorted sizes (some with extensions and CRLFs in the data), then trailers.</summary>
    private static string BigBody(Random random)
    {
        var body = new StringBuilder();
        for (var i = 0; i < 40; i++)
        {
            var size = random.Next(4) == 0 ? random.Next(1, 20_000) : random.Next(1, 40);
            body.Append(size.ToString(i % 2 == 0 ? "x" : "X"));
            if (i % 5 == 0) body.Append(";ext=").Append(i);
            body.Append("\r\n");
            for (var j = 0; j < size; j++) body.Append(j % 7 == 0 ? '\r' : j % 11 == 0 ? '\n' : (char)('a' + j % 26));
            body.Append("\r\n");
        }
        return body.Append("0\r\nX-Trailer: done\r\n\r\n").ToString();
    }
}
