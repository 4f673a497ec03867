namespace Portolan.Proxy.Http1.Parsing;

/// <summary>
/// A strict HTTP/1.1 request-head parser for the fast path: it accepts the common well-formed shape
/// (origin-form target, CRLF line endings, one Host, Content-Length or chunked framing) and answers
/// <see cref="HeadParseStatus.Unsupported"/> for anything unusual, which the caller hands to the Kestrel path.
/// One instance per connection, reused: <see cref="Parse"/> allocates nothing (the field array grows only
/// past 16 fields, once). Ranges are offsets into the buffer last parsed.
/// </summary>
internal sealed class RequestHead
{
    private readonly HeaderSection _section = new();

    /// <summary>Bytes of the head including the final CRLFCRLF.</summary>
    public int Length { get; private set; }
    public ByteRange Method { get; private set; }
    /// <summary>The whole request-target, as forwarded.</summary>
    public ByteRange Target { get; private set; }
    /// <summary>The target up to '?'.</summary>
    public ByteRange Path { get; private set; }
    /// <summary>The target after '?', empty when there is none or nothing follows it (see <see cref="HasQueryMark"/>).</summary>
    public ByteRange Query { get; private set; }
    public bool HasQueryMark { get; private set; }
    /// <summary>The Host value without the port (an IPv6 literal keeps its brackets); empty when HTTP/1.0 sent none.</summary>
    public ByteRange Host { get; private set; }
    /// <summary>The whole Host value.</summary>
    public ByteRange HostHeader { get; private set; }
    /// <summary>The Host port, -1 when the Host value has none.</summary>
    public int HostPort { get; private set; }
    /// <summary>HTTP/1.0 (otherwise HTTP/1.1).</summary>
    public bool Http10 { get; private set; }
    /// <summary>-1 when absent.</summary>
    public long ContentLength { get; private set; }
    public bool Chunked { get; private set; }
    /// <summary>HTTP/1.1 with a "close" token, or HTTP/1.0 without "keep-alive".</summary>
    public bool ConnectionClose { get; private set; }

    public ReadOnlySpan<HeaderRange> Headers => _section.Fields;

    /// <summary>
    /// Parses the head at the start of <paramref name="buffer"/>. The request line (without CRLF) may hold at most
    /// <paramref name="maxRequestLine"/> bytes and the whole head at most <paramref name="maxHead"/>.
    /// </summary>
    public HeadParseStatus Parse(ReadOnlySpan<byte> buffer, int maxRequestLine, int maxHead)
    {
        Reset();
        if (buffer.IsEmpty) return HeadParseStatus.Incomplete;
        if (buffer[0] is (byte)'\r' or (byte)'\n') return HeadParseStatus.Unsupported; // leading empty line: slow path

        var lineLimit = maxRequestLine > int.MaxValue - 2 ? int.MaxValue : maxRequestLine + 2; // + CRLF
        var lf = buffer[..Math.Min(buffer.Length, lineLimit)].IndexOf((byte)'\n');
        if (lf < 0)
            return buffer.Length >= lineLimit || buffer.Length >= maxHead ? HeadParseStatus.TooLarge : HeadParseStatus.Incomplete;
        if (buffer[lf - 1] != '\r') return HeadParseStatus.Unsupported;
        if (lf - 1 > maxRequestLine || lf + 1 > maxHead) return HeadParseStatus.TooLarge;
        if (!ParseRequestLine(buffer[..(lf - 1)])) return HeadParseStatus.Unsupported;

        var status = _section.Parse(buffer, lf + 1, maxHead);
        if (status != HeadParseStatus.Complete) return status;
        if (!ApplyFields(buffer)) return HeadParseStatus.Unsupported;
        Length = _section.End;
        return HeadParseStatus.Complete;
    }

    /// <summary>Index in <see cref="Headers"/> of the <paramref name="occurrence"/>-th (from 0) field named <paramref name="name"/> (ASCII case-insensitive), or -1.</summary>
    public int FindHeader(ReadOnlySpan<byte> buffer, string name, int occurrence = 0) => _section.Find(buffer, name, occurrence);

    /// <inheritdoc cref="FindHeader(ReadOnlySpan{byte}, string, int)"/>
    public int FindHeader(ReadOnlySpan<byte> buffer, ReadOnlySpan<byte> name, int occurrence = 0) => _section.Find(buffer, name, occurrence);

    private void Reset()
    {
        Length = 0;
        Method = Target = Path = Query = Host = HostHeader = default;
        HasQueryMark = Http10 = Chunked = ConnectionClose = false;
        HostPort = -1;
        ContentLength = -1;
    }

    /// <summary>METHOD SP origin-form SP HTTP/1.x, nothing else.</summary>
    private bool ParseRequestLine(ReadOnlySpan<byte> line)
    {
        var sp1 = line.IndexOf((byte)' ');
        if (sp1 <= 0 || !HttpSyntax.IsToken(line[..sp1])) return false;
        var targetStart = sp1 + 1;
        var sp2 = line[targetStart..].IndexOf((byte)' ');
        if (sp2 <= 0) return false;
        var target = line.Slice(targetStart, sp2);
        var version = line[(targetStart + sp2 + 1)..];
        if (version.SequenceEqual("HTTP/1.1"u8)) Http10 = false;
        else if (version.SequenceEqual("HTTP/1.0"u8)) Http10 = true;
        else return false;

        if (target[0] != '/' || target.ContainsAnyExcept(HttpSyntax.Target)) return false;
        var mark = target.IndexOf((byte)'?');
        var pathLength = mark < 0 ? target.Length : mark;
        if (HasDotSegment(target[..pathLength])) return false;

        Method = new ByteRange(0, sp1);
        Target = new ByteRange(targetStart, target.Length);
        Path = new ByteRange(targetStart, pathLength);
        HasQueryMark = mark >= 0;
        Query = HasQueryMark ? new ByteRange(targetStart + mark + 1, target.Length - mark - 1) : new ByteRange(targetStart + target.Length, 0);
        return true;
    }

    /// <summary>A "." or ".." segment, which targets would resolve differently; only the path has segments.</summary>
    private static bool HasDotSegment(ReadOnlySpan<byte> path)
    {
        var from = 0;
        while (true)
        {
            var found = path[from..].IndexOf("/."u8);
            if (found < 0) return false;
            var after = from + found + 2;
            if (after == path.Length || path[after] == '/') return true;
            if (path[after] == '.' && (after + 1 == path.Length || path[after + 1] == '/')) return true;
            from = after;
        }
    }

    private bool ApplyFields(ReadOnlySpan<byte> buffer)
    {
        var s = _section;
        if (s.HasUpgrade || s.HasExpect || s.ConnectionOtherTokens) return false;
        if (s.TransferEncodingInvalid || s.ContentLengthInvalid) return false;
        if (s.HasTransferEncoding && (Http10 || s.ContentLength >= 0)) return false;
        if (s.HostCount > 1 || (s.HostCount == 0 && !Http10)) return false;
        if (s.HostCount == 1 && !ParseHost(buffer, s.Fields[s.HostIndex])) return false;
        ContentLength = s.ContentLength;
        Chunked = s.HasTransferEncoding;
        ConnectionClose = s.ConnectionClose || (Http10 && !s.ConnectionKeepAlive);
        return true;
    }

    /// <summary>reg-name / IPv4 / [IPv6] with an optional :port of 1-5 digits; an empty host is left to the slow path.</summary>
    private bool ParseHost(ReadOnlySpan<byte> buffer, HeaderRange field)
    {
        var value = field.Value(buffer);
        if (value.IsEmpty) return false;
        int hostLength;
        if (value[0] == '[')
        {
            hostLength = value.IndexOf((byte)']') + 1;
            if (hostLength < 4) return false; // "[::]" is the shortest literal
            var literal = value[1..(hostLength - 1)];
            if (literal.ContainsAnyExcept(HttpSyntax.Ipv6) || !literal.Contains((byte)':')) return false;
        }
        else
        {
            hostLength = value.IndexOf((byte)':');
            if (hostLength < 0) hostLength = value.Length;
            if (hostLength == 0 || value[..hostLength].ContainsAnyExcept(HttpSyntax.RegName)) return false;
        }

        var port = -1;
        if (hostLength < value.Length)
        {
            if (value[hostLength] != ':') return false;
            var digits = value[(hostLength + 1)..];
            if (digits.Length > 5) return false;
            var parsed = HttpSyntax.ParseDecimal(digits);
            if (parsed is < 0 or > 65535) return false;
            port = (int)parsed;
        }

        HostHeader = new ByteRange(field.ValueStart, field.ValueLength);
        Host = new ByteRange(field.ValueStart, hostLength);
        HostPort = port;
        return true;
    }
}
