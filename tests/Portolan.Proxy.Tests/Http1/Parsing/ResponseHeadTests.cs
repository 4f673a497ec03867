using System.Text;
using Portolan.Proxy.Http1.Parsing;

namespace Portolan.Proxy.Tests.Http1.Parsing;

public sealed class ResponseHeadTests
{
    private const int MaxHead = 32 * 1024;

    private static HeadParseStatus Parse(string text, out ResponseHead head, out byte[] buffer)
    {
        head = new ResponseHead();
        buffer = Encoding.Latin1.GetBytes(text);
        return head.Parse(buffer, MaxHead);
    }

    [Theory]
    [InlineData("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n", 200, false, 5L, false, false)]
    [InlineData("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n", 200, false, -1L, true, false)]
    [InlineData("HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n", 200, false, -1L, false, true)] // read to EOF
    [InlineData("HTTP/1.1 204 No Content\r\n\r\n", 204, false, -1L, false, false)]
    [InlineData("HTTP/1.1 200 \r\nContent-Length: 0\r\n\r\n", 200, false, 0L, false, false)]
    [InlineData("HTTP/1.1 200\r\nContent-Length: 0\r\n\r\n", 200, false, 0L, false, false)]
    [InlineData("HTTP/1.1 404 Not  Found\t(really)\r\n\r\n", 404, false, -1L, false, false)]
    [InlineData("HTTP/1.1 999 Custom\r\n\r\n", 999, false, -1L, false, false)]
    [InlineData("HTTP/1.1 103 Early Hints\r\nLink: </a.css>; rel=preload\r\n\r\n", 103, false, -1L, false, false)]
    [InlineData("HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\n", 200, true, 2L, false, true)]
    [InlineData("HTTP/1.0 200 OK\r\nContent-Length: 2\r\nConnection: Keep-Alive\r\n\r\n", 200, true, 2L, false, false)]
    [InlineData("HTTP/1.1 200 OK\r\nConnection: Upgrade, Keep-Alive\r\nUpgrade: h2,h2c\r\nContent-Length: 1\r\n\r\n", 200, false, 1L, false, false)]
    public void Framings(string text, int status, bool http10, long contentLength, bool chunked, bool close)
    {
        Assert.Equal(HeadParseStatus.Complete, Parse(text + "body", out var head, out _));
        Assert.Equal(text.Length, head.Length);
        Assert.Equal(status, head.Status);
        Assert.Equal(http10, head.Http10);
        Assert.Equal(contentLength, head.ContentLength);
        Assert.Equal(chunked, head.Chunked);
        Assert.Equal(close, head.ConnectionClose);
    }

    [Fact]
    public void Headers_and_connection_options()
    {
        Assert.Equal(HeadParseStatus.Complete,
            Parse("HTTP/1.1 200 OK\r\nServer: Apache\r\nConnection: Upgrade\r\nUpgrade: h2\r\nSet-Cookie: a=1\r\nset-cookie: b=2\r\n\r\n", out var head, out var buffer));
        Assert.True(head.ConnectionHasOtherTokens);
        Assert.Equal(5, head.Headers.Length);
        Assert.Equal("Apache", Encoding.Latin1.GetString(head.Headers[0].Value(buffer)));
        Assert.Equal(4, head.FindHeader(buffer, "set-cookie", 1));
        Assert.Equal("b=2", Encoding.Latin1.GetString(head.Headers[head.FindHeader(buffer, "SET-COOKIE"u8, 1)].Value(buffer)));
    }

    [Theory]
    [InlineData("\r\nHTTP/1.1 200 OK\r\n\r\n")]
    [InlineData("HTTP/1.1 200 OK\n\r\n")]
    [InlineData("HTTP/1.1 200 OK\r\nA: b\n\r\n")]
    [InlineData("HTTP/1.1 200 OK\r\n\n")]
    [InlineData("HTTP/2 200 OK\r\n\r\n")]
    [InlineData("HTTP/1.2 200 OK\r\n\r\n")]
    [InlineData("http/1.1 200 OK\r\n\r\n")]
    [InlineData("HTTP/1.1 20 OK\r\n\r\n")]
    [InlineData("HTTP/1.1 2000 OK\r\n\r\n")]
    [InlineData("HTTP/1.1 099 OK\r\n\r\n")]
    [InlineData("HTTP/1.1 2x0 OK\r\n\r\n")]
    [InlineData("HTTP/1.1  200 OK\r\n\r\n")]
    [InlineData("HTTP/1.1\t200 OK\r\n\r\n")]
    [InlineData("HTTP/1.1 200\tOK\r\n\r\n")]
    [InlineData("HTTP/1.1 200 O\u0001K\r\n\r\n")]
    [InlineData("ICY 200 OK\r\n\r\n")]
    [InlineData("HTTP/1.1 200 OK\r\n folded\r\n\r\n")]
    [InlineData("HTTP/1.1 200 OK\r\nBad Name: x\r\n\r\n")]
    [InlineData("HTTP/1.1 200 OK\r\nName : x\r\n\r\n")]
    [InlineData("HTTP/1.1 200 OK\r\nX: a\u007f\r\n\r\n")]
    [InlineData("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n")]
    [InlineData("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, chunked\r\n\r\n")]
    [InlineData("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n")] // TE + CL: not read as chunked, refused
    [InlineData("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\n")]
    [InlineData("HTTP/1.1 200 OK\r\nContent-Length: five\r\n\r\n")]
    [InlineData("HTTP/1.0 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n")]
    public void Unsupported(string text) => Assert.Equal(HeadParseStatus.Unsupported, Parse(text, out _, out _));

    [Fact]
    public void Incomplete_and_too_large()
    {
        var text = Encoding.Latin1.GetBytes("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 12\r\n\r\n");
        var head = new ResponseHead();
        for (var length = 0; length < text.Length; length++)
            Assert.Equal(HeadParseStatus.Incomplete, head.Parse(text.AsSpan(0, length), MaxHead));
        Assert.Equal(HeadParseStatus.Complete, head.Parse(text, text.Length));
        Assert.Equal(HeadParseStatus.TooLarge, head.Parse(text, text.Length - 1));
        Assert.Equal(HeadParseStatus.TooLarge, head.Parse(text.AsSpan(0, 10), 10));
        Assert.Equal(HeadParseStatus.TooLarge, head.Parse(text.AsSpan(0, 30), 20));
    }

    [Fact]
    public void Parse_does_not_allocate()
    {
        var buffer = Encoding.Latin1.GetBytes(
            "HTTP/1.1 200 OK\r\nServer: nginx\r\nDate: Mon, 01 Jan 2024 00:00:00 GMT\r\nContent-Type: application/json\r\n" +
            "Content-Length: 17\r\nConnection: keep-alive\r\nCache-Control: no-cache\r\nVary: Accept-Encoding\r\nX-Id: 1\r\n\r\n");
        var head = new ResponseHead();
        for (var i = 0; i < 100; i++) head.Parse(buffer, MaxHead);

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1000; i++) head.Parse(buffer, MaxHead);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(HeadParseStatus.Complete, head.Parse(buffer, MaxHead));
        Assert.Equal(17, head.ContentLength);
        Assert.Equal(0, allocated);
    }
}
