using System.Text;
using Portolan.Proxy.Http1.Parsing;

namespace Portolan.Proxy.Tests.Http1.Parsing;

public sealed class RequestHeadTests
{
    private const int MaxLine = 8 * 1024;
    private const int MaxHead = 32 * 1024;

    private const string Typical =
        "GET /path?x=1 HTTP/1.1\r\nHost: api.example.com\r\nUser-Agent: curl/8.5.0\r\nAccept: */*\r\n" +
        "Accept-Encoding: gzip, br\r\nAccept-Language: en\r\nCookie: a=b; c=d\r\nX-Request-Id: 42\r\nTraceparent: 00-abc-def-01\r\n\r\n";

    private static byte[] Bytes(string text) => Encoding.Latin1.GetBytes(text);

    private static string Text(ReadOnlySpan<byte> buffer, ByteRange range) => Encoding.Latin1.GetString(range.Of(buffer));

    private static HeadParseStatus Parse(string text, out RequestHead head, out byte[] buffer)
    {
        head = new RequestHead();
        buffer = Bytes(text);
        return head.Parse(buffer, MaxLine, MaxHead);
    }

    [Fact]
    public void Typical_head_is_parsed_into_ranges()
    {
        var buffer = Bytes(Typical + "trailing bytes of the next request");
        var head = new RequestHead();

        Assert.Equal(HeadParseStatus.Complete, head.Parse(buffer, MaxLine, MaxHead));
        Assert.Equal(Typical.Length, head.Length);
        Assert.Equal("GET", Text(buffer, head.Method));
        Assert.Equal("/path?x=1", Text(buffer, head.Target));
        Assert.Equal("/path", Text(buffer, head.Path));
        Assert.Equal("x=1", Text(buffer, head.Query));
        Assert.True(head.HasQueryMark);
        Assert.Equal("api.example.com", Text(buffer, head.Host));
        Assert.Equal("api.example.com", Text(buffer, head.HostHeader));
        Assert.Equal(-1, head.HostPort);
        Assert.False(head.Http10);
        Assert.Equal(-1, head.ContentLength);
        Assert.False(head.Chunked);
        Assert.False(head.ConnectionClose);
        Assert.Equal(8, head.Headers.Length);
        Assert.Equal("Cookie", Encoding.Latin1.GetString(head.Headers[5].Name(buffer)));
        Assert.Equal("a=b; c=d", Encoding.Latin1.GetString(head.Headers[5].Value(buffer)));
        Assert.Equal("Traceparent", Encoding.Latin1.GetString(head.Headers[7].Name(buffer)));
    }

    [Fact]
    public void Every_proper_prefix_is_incomplete()
    {
        var buffer = Bytes(Typical);
        var head = new RequestHead();
        for (var length = 0; length < buffer.Length; length++)
            Assert.Equal(HeadParseStatus.Incomplete, head.Parse(buffer.AsSpan(0, length), MaxLine, MaxHead));
        Assert.Equal(HeadParseStatus.Complete, head.Parse(buffer, MaxLine, MaxHead));
    }

    [Theory]
    [InlineData("GET / HTTP/1.1\r\nHost: a\r\n\r\n", "GET", "/", "/", "", false)]
    [InlineData("POST /a/b.c/d?q=1&r=/y?z HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n\r\n", "POST", "/a/b.c/d?q=1&r=/y?z", "/a/b.c/d", "q=1&r=/y?z", true)]
    [InlineData("GET /a? HTTP/1.1\r\nHost: a\r\n\r\n", "GET", "/a?", "/a", "", true)]
    [InlineData("GET /?a/../b HTTP/1.1\r\nHost: a\r\n\r\n", "GET", "/?a/../b", "/", "a/../b", true)]
    [InlineData("GET /a/.well-known/..x/... HTTP/1.1\r\nHost: a\r\n\r\n", "GET", "/a/.well-known/..x/...", "/a/.well-known/..x/...", "", false)]
    [InlineData("M-SEARCH /x HTTP/1.1\r\nHost: a\r\n\r\n", "M-SEARCH", "/x", "/x", "", false)]
    [InlineData("GET /a//b~c!$&'()*+,;=:@ HTTP/1.1\r\nHost: a\r\n\r\n", "GET", "/a//b~c!$&'()*+,;=:@", "/a//b~c!$&'()*+,;=:@", "", false)]
    public void Accepted_request_lines(string text, string method, string target, string path, string query, bool hasQueryMark)
    {
        Assert.Equal(HeadParseStatus.Complete, Parse(text, out var head, out var buffer));
        Assert.Equal(method, Text(buffer, head.Method));
        Assert.Equal(target, Text(buffer, head.Target));
        Assert.Equal(path, Text(buffer, head.Path));
        Assert.Equal(query, Text(buffer, head.Query));
        Assert.Equal(hasQueryMark, head.HasQueryMark);
        Assert.Equal(text.Length, head.Length);
    }

    [Theory]
    [InlineData("api.example.com", "api.example.com", -1)]
    [InlineData("api.example.com:8080", "api.example.com", 8080)]
    [InlineData("10.0.0.1:80", "10.0.0.1", 80)]
    [InlineData("[::1]", "[::1]", -1)]
    [InlineData("[2001:db8::1]:443", "[2001:db8::1]", 443)]
    [InlineData("[::ffff:10.0.0.1]:0", "[::ffff:10.0.0.1]", 0)]
    [InlineData("under_score-and~tilde", "under_score-and~tilde", -1)]
    [InlineData("a:65535", "a", 65535)]
    [InlineData("  padded:81 \t", "padded", 81)]
    public void Accepted_hosts(string value, string host, int port)
    {
        Assert.Equal(HeadParseStatus.Complete, Parse($"GET / HTTP/1.1\r\nHost:{value}\r\n\r\n", out var head, out var buffer));
        Assert.Equal(host, Text(buffer, head.Host));
        Assert.Equal(value.Trim(' ', '\t'), Text(buffer, head.HostHeader));
        Assert.Equal(port, head.HostPort);
    }

    [Theory]
    [InlineData("GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 42\r\n\r\n", false, 42L, false, false)]
    [InlineData("GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 007\r\n\r\n", false, 7L, false, false)]
    [InlineData("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n", false, -1L, true, false)]
    [InlineData("POST / HTTP/1.1\r\nHost: a\r\ntransfer-encoding:  CHUNKED \r\n\r\n", false, -1L, true, false)]
    [InlineData("GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n", false, -1L, false, true)]
    [InlineData("GET / HTTP/1.1\r\nHost: a\r\nConnection: keep-alive\r\nConnection: ,Close\r\n\r\n", false, -1L, false, true)]
    [InlineData("GET / HTTP/1.1\r\nHost: a\r\nConnection: Keep-Alive\r\n\r\n", false, -1L, false, false)]
    [InlineData("GET / HTTP/1.0\r\n\r\n", true, -1L, false, true)]
    [InlineData("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", true, -1L, false, false)]
    [InlineData("GET / HTTP/1.0\r\nConnection: keep-alive, close\r\n\r\n", true, -1L, false, true)]
    [InlineData("POST / HTTP/1.0\r\nHost: a:1\r\nContent-Length: 3\r\n\r\n", true, 3L, false, true)]
    public void Framing_and_connection(string text, bool http10, long contentLength, bool chunked, bool close)
    {
        Assert.Equal(HeadParseStatus.Complete, Parse(text, out var head, out _));
        Assert.Equal(http10, head.Http10);
        Assert.Equal(contentLength, head.ContentLength);
        Assert.Equal(chunked, head.Chunked);
        Assert.Equal(close, head.ConnectionClose);
    }

    [Fact]
    public void Http10_without_host_has_empty_host_ranges()
    {
        Assert.Equal(HeadParseStatus.Complete, Parse("GET /x HTTP/1.0\r\nAccept: */*\r\n\r\n", out var head, out _));
        Assert.True(head.Host.IsEmpty);
        Assert.True(head.HostHeader.IsEmpty);
        Assert.Equal(-1, head.HostPort);
    }

    [Theory]
    [InlineData("X-Empty:\r\n", "")]
    [InlineData("X-Empty: \t \r\n", "")]
    [InlineData("X-Trim: \t a b \t\r\n", "a b")]
    [InlineData("X-Tab: a\tb\r\n", "a\tb")]
    [InlineData("X-Obs-Text: caf\u00e9\r\n", "caf\u00e9")]
    [InlineData("X-Quote: \"a, b\" ; q=0.5\r\n", "\"a, b\" ; q=0.5")]
    public void Header_values_are_trimmed_and_may_hold_htab_and_obs_text(string line, string value)
    {
        Assert.Equal(HeadParseStatus.Complete, Parse("GET / HTTP/1.1\r\nHost: a\r\n" + line + "\r\n", out var head, out var buffer));
        Assert.Equal(value, Encoding.Latin1.GetString(head.Headers[1].Value(buffer)));
    }

    [Theory]
    // Request line.
    [InlineData("\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n")] // leading empty line
    [InlineData("\nGET / HTTP/1.1\r\nHost: a\r\n\r\n")]
    [InlineData("GET / HTTP/1.1\nHost: a\r\n\r\n")] // bare LF
    [InlineData("GET / HTTP/1.1\r\nHost: a\n\r\n")]
    [InlineData("GET / HTTP/1.1\r\nHost: a\r\n\n")]
    [InlineData("GET / HTTP/1.1\r\nHost: a\r\nX: 1\n\n")]
    [InlineData("GET /  HTTP/1.1\r\nHost: a\r\n\r\n")]
    [InlineData("GET  / HTTP/1.1\r\nHost: a\r\n\r\n")]
    [InlineData(" GET / HTTP/1.1\r\nHost: a\r\n\r\n")]
    [InlineData("GET / HTTP/1.1 \r\nHost: a\r\n\r\n")]
    [InlineData("GET /\r\nHost: a\r\n\r\n")]
    [InlineData("GET / http/1.1\r\nHost: a\r\n\r\n")]
    [InlineData("GET / HTTP/2.0\r\nHost: a\r\n\r\n")]
    [InlineData("GET / HTTP/1.2\r\nHost: a\r\n\r\n")]
    [InlineData("GET\t/ HTTP/1.1\r\nHost: a\r\n\r\n")]
    [InlineData("G(T / HTTP/1.1\r\nHost: a\r\n\r\n")] // method not a token
    [InlineData("GE\u00c9 / HTTP/1.1\r\nHost: a\r\n\r\n")]
    // Target.
    [InlineData("GET http://a/ HTTP/1.1\r\nHost: a\r\n\r\n")] // absolute-form
    [InlineData("CONNECT a:443 HTTP/1.1\r\nHost: a:443\r\n\r\n")] // authority-form
    [InlineData("OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n")] // asterisk-form
    [InlineData("GET /a%2Fb HTTP/1.1\r\nHost: a\r\n\r\n")]
    [InlineData("GET /a#frag HTTP/1.1\r\nHost: a\r\n\r\n")]
    [InlineData("GET /a/./b HTTP/1.1\r\nHost: a\r\n\r\n")]
    [InlineData("GET /a/../b HTTP/1.1\r\nHost: a\r\n\r\n")]
    [InlineData("GET /a/. HTTP/1.1\r\nHost: a\r\n\r\n")]
    [InlineData("GET /a/.. HTTP/1.1\r\nHost: a\r\n\r\n")]
    [InlineData("GET /.. HTTP/1.1\r\nHost: a\r\n\r\n")]
    [InlineData("GET /a/..?x HTTP/1.1\r\nHost: a\r\n\r\n")]
    [InlineData("GET /a/.?x HTTP/1.1\r\nHost: a\r\n\r\n")]
    [InlineData("GET /a\u007fb HTTP/1.1\r\nHost: a\r\n\r\n")]
    [InlineData("GET /caf\u00e9 HTTP/1.1\r\nHost: a\r\n\r\n")]
    [InlineData("GET /a\tb HTTP/1.1\r\nHost: a\r\n\r\n")]
    [InlineData("GET /a\rb HTTP/1.1\r\nHost: a\r\n\r\n")]
    // Field lines.
    [InlineData("GET / HTTP/1.1\r\nHost: a\r\nX: 1\r\n continued\r\n\r\n")] // obs-fold
    [InlineData("GET / HTTP/1.1\r\nHost: a\r\nX: 1\r\n\tcontinued\r\n\r\n")]
    [InlineData("GET / HTTP/1.1\r\n Host: a\r\n\r\n")]
    [InlineData("GET / HTTP/1.1\r\nHost : a\r\n\r\n")] // whitespace before colon
    [InlineData("GET / HTTP/1.1\r\nHost\t: a\r\n\r\n")]
    [InlineData("GET / HTTP/1.1\r\nHost: a\r\nNo colon\r\n\r\n")]
    [InlineData("GET / HTTP/1.1\r\nHost: a\r\n: empty name\r\n\r\n")]
    [InlineData("GET / HTTP/1.1\r\nHost: a\r\nX(Y): 1\r\n\r\n")]
    [InlineData("GET / HTTP/1.1\r\nHost: a\r\nX: a\u0000b\r\n\r\n")] // CTL in value
    [InlineData("GET / HTTP/1.1\r\nHost: a\r\nX: a\rb\r\n\r\n")]
    [InlineData("GET / HTTP/1.1\r\nHost: a\r\nX: a\u001fb\r\n\r\n")]
    [InlineData("GET / HTTP/1.1\r\nHost: a\r\nX: a\u007fb\r\n\r\n")] // DEL in value
    // Framing.
    [InlineData("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, chunked\r\n\r\n")]
    [InlineData("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: identity\r\n\r\n")]
    [InlineData("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n")]
    [InlineData("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding:\r\n\r\n")]
    [InlineData("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n")]
    [InlineData("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n")]
    [InlineData("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nContent-Length: 3\r\n\r\n")]
    [InlineData("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3, 3\r\n\r\n")]
    [InlineData("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: +3\r\n\r\n")]
    [InlineData("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: -1\r\n\r\n")]
    [InlineData("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 0x10\r\n\r\n")]
    [InlineData("POST / HTTP/1.1\r\nHost: a\r\nContent-Length:\r\n\r\n")]
    [InlineData("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1234567890123456789\r\n\r\n")] // past 18 digits
    [InlineData("POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n")]
    // Host.
    [InlineData("GET / HTTP/1.1\r\nAccept: */*\r\n\r\n")] // none on 1.1
    [InlineData("GET / HTTP/1.1\r\nHost: a\r\nHost: a\r\n\r\n")]
    [InlineData("GET / HTTP/1.0\r\nHost: a\r\nhost: b\r\n\r\n")]
    [InlineData("GET / HTTP/1.1\r\nHost:\r\n\r\n")]
    [InlineData("GET / HTTP/1.1\r\nHost: a b\r\n\r\n")]
    [InlineData("GET / HTTP/1.1\r\nHost: a/b\r\n\r\n")]
    [InlineData("GET / HTTP/1.1\r\nHost: user@a\r\n\r\n")]
    [InlineData("GET / HTTP/1.1\r\nHost: a%2e\r\n\r\n")]
    [InlineData("GET / HTTP/1.1\r\nHost: a:\r\n\r\n")]
    [InlineData("GET / HTTP/1.1\r\nHost: :80\r\n\r\n")]
    [InlineData("GET / HTTP/1.1\r\nHost: a:80:80\r\n\r\n")]
    [InlineData("GET / HTTP/1.1\r\nHost: a:65536\r\n\r\n")]
    [InlineData("GET / HTTP/1.1\r\nHost: a:000080\r\n\r\n")]
    [InlineData("GET / HTTP/1.1\r\nHost: a:8x\r\n\r\n")]
    [InlineData("GET / HTTP/1.1\r\nHost: caf\u00e9\r\n\r\n")]
    [InlineData("GET / HTTP/1.1\r\nHost: [::1\r\n\r\n")]
    [InlineData("GET / HTTP/1.1\r\nHost: []\r\n\r\n")]
    [InlineData("GET / HTTP/1.1\r\nHost: [fe80::1%25eth0]\r\n\r\n")]
    [InlineData("GET / HTTP/1.1\r\nHost: [v1.x]\r\n\r\n")]
    [InlineData("GET / HTTP/1.1\r\nHost: [127.0.0.1]\r\n\r\n")]
    [InlineData("GET / HTTP/1.1\r\nHost: [::1]x\r\n\r\n")]
    [InlineData("GET / HTTP/1.1\r\nHost: [::1]:\r\n\r\n")]
    // Upgrade, Expect, Connection options.
    [InlineData("GET / HTTP/1.1\r\nHost: a\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n")]
    [InlineData("GET / HTTP/1.1\r\nHost: a\r\nupgrade: h2c\r\n\r\n")]
    [InlineData("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n")]
    [InlineData("GET / HTTP/1.1\r\nHost: a\r\nConnection: keep-alive, X-Hop\r\n\r\n")]
    public void Unsupported(string text) => Assert.Equal(HeadParseStatus.Unsupported, Parse(text, out _, out _));

    [Fact]
    public void A_bad_request_line_is_unsupported_before_the_headers_arrive() =>
        Assert.Equal(HeadParseStatus.Unsupported, Parse("GET /a/../b HTTP/1.1\r\nHost: a\r\n", out _, out _));

    [Fact]
    public void More_than_MaxFields_headers_is_unsupported_and_up_to_it_is_fine()
    {
        var fields = new StringBuilder("GET / HTTP/1.1\r\nHost: a\r\n");
        for (var i = 1; i < HeaderSection.MaxFields; i++) fields.Append("X-").Append(i).Append(": v\r\n");
        Assert.Equal(HeadParseStatus.Complete, Parse(fields + "\r\n", out var head, out var buffer));
        Assert.Equal(HeaderSection.MaxFields, head.Headers.Length);
        Assert.Equal("X-99", Encoding.Latin1.GetString(head.Headers[^1].Name(buffer)));
        Assert.Equal(HeadParseStatus.Unsupported, Parse(fields + "X-Last: v\r\n\r\n", out _, out _));
    }

    [Fact]
    public void Request_line_limit()
    {
        var head = new RequestHead();
        var line = "GET /" + new string('a', 95) + " HTTP/1.1"; // 109 bytes
        var text = Bytes(line + "\r\nHost: a\r\n\r\n");
        Assert.Equal(HeadParseStatus.Complete, head.Parse(text, line.Length, MaxHead));
        Assert.Equal(HeadParseStatus.TooLarge, head.Parse(text, line.Length - 1, MaxHead));
        // Without its LF yet: incomplete while the line could still fit, too large once it cannot.
        Assert.Equal(HeadParseStatus.Incomplete, head.Parse(text.AsSpan(0, line.Length + 1), line.Length, MaxHead));
        Assert.Equal(HeadParseStatus.TooLarge, head.Parse(text.AsSpan(0, line.Length + 1), line.Length - 1, MaxHead));
        Assert.Equal(HeadParseStatus.TooLarge, head.Parse(text.AsSpan(0, 60), 10, MaxHead));
    }

    [Fact]
    public void Head_limit()
    {
        var head = new RequestHead();
        var text = Bytes("GET / HTTP/1.1\r\nHost: a\r\nX-Long: " + new string('v', 200) + "\r\n\r\n");
        Assert.Equal(HeadParseStatus.Complete, head.Parse(text, MaxLine, text.Length));
        Assert.Equal(HeadParseStatus.TooLarge, head.Parse(text, MaxLine, text.Length - 1));
        Assert.Equal(HeadParseStatus.Incomplete, head.Parse(text.AsSpan(0, 100), MaxLine, text.Length));
        Assert.Equal(HeadParseStatus.TooLarge, head.Parse(text.AsSpan(0, 100), MaxLine, 100));
        Assert.Equal(HeadParseStatus.TooLarge, head.Parse(text.AsSpan(0, 100), MaxLine, 50));
        Assert.Equal(HeadParseStatus.TooLarge, head.Parse(text.AsSpan(0, 10), MaxLine, 10)); // even the request line does not fit
    }

    [Fact]
    public void FindHeader_is_case_insensitive_and_counts_occurrences()
    {
        Assert.Equal(HeadParseStatus.Complete,
            Parse("GET / HTTP/1.1\r\nHost: a\r\nX-Forwarded-For: 1.1.1.1\r\nAccept: */*\r\nx-forwarded-for: 2.2.2.2\r\n\r\n", out var head, out var buffer));
        Assert.Equal(1, head.FindHeader(buffer, "x-forwarded-for"));
        Assert.Equal(3, head.FindHeader(buffer, "x-forwarded-for", 1));
        Assert.Equal(-1, head.FindHeader(buffer, "x-forwarded-for", 2));
        Assert.Equal(0, head.FindHeader(buffer, "HOST"u8));
        Assert.Equal(-1, head.FindHeader(buffer, "x-forwarded"));
    }

    [Fact]
    public void A_reused_instance_forgets_the_previous_head()
    {
        var head = new RequestHead();
        var first = Bytes("POST /a?b HTTP/1.0\r\nHost: h:1\r\nContent-Length: 5\r\n\r\n");
        Assert.Equal(HeadParseStatus.Complete, head.Parse(first, MaxLine, MaxHead));
        var second = Bytes("GET /c HTTP/1.1\r\nHost: other\r\nTransfer-Encoding: chunked\r\n\r\n");
        Assert.Equal(HeadParseStatus.Complete, head.Parse(second, MaxLine, MaxHead));
        Assert.Equal(-1, head.ContentLength);
        Assert.True(head.Chunked);
        Assert.False(head.Http10);
        Assert.False(head.HasQueryMark);
        Assert.True(head.Query.IsEmpty);
        Assert.Equal(-1, head.HostPort);
        Assert.Equal(2, head.Headers.Length);
        Assert.Equal(HeadParseStatus.Unsupported, head.Parse(Bytes("GET / HTTP/1.1\r\n\r\n"), MaxLine, MaxHead));
        Assert.Equal(0, head.Length);
    }

    [Fact]
    public void Parse_does_not_allocate()
    {
        var buffer = Bytes(Typical);
        var head = new RequestHead();
        for (var i = 0; i < 100; i++) head.Parse(buffer, MaxLine, MaxHead);

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1000; i++) head.Parse(buffer, MaxLine, MaxHead);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(HeadParseStatus.Complete, head.Parse(buffer, MaxLine, MaxHead));
        Assert.Equal(0, allocated);
    }
}
