namespace Portolan.Proxy.Http1.Parsing;

/// <summary>
/// A strict HTTP/1.x response-head parser for upstream responses on the fast path; anything it cannot vouch for is
/// <see cref="HeadParseStatus.Unsupported"/> and the caller answers 502. Framing that depends on the request
/// (HEAD, 1xx, 204, 304) is the caller's to apply. A response with both Transfer-Encoding and Content-Length is
/// Unsupported rather than read as chunked (RFC 9112 §6.3 allows either): forwarding the head verbatim would pass
/// the conflicting Content-Length on. One instance per upstream exchange, reused; <see cref="Parse"/> allocates nothing.
/// </summary>
internal sealed class ResponseHead
{
    private readonly HeaderSection _section = new();

    /// <summary>Bytes of the head including the final CRLFCRLF.</summary>
    public int Length { get; private set; }
    public int Status { get; private set; }
    /// <summary>HTTP/1.0 (otherwise HTTP/1.1).</summary>
    public bool Http10 { get; private set; }
    /// <summary>-1 when absent.</summary>
    public long ContentLength { get; private set; }
    public bool Chunked { get; private set; }
    /// <summary>A "close" token, or HTTP/1.0 without "keep-alive".</summary>
    public bool ConnectionClose { get; private set; }
    /// <summary>Connection names something other than close/keep-alive (e.g. "Upgrade"): hop-by-hop fields the forwarder must drop.</summary>
    public bool ConnectionHasOtherTokens { get; private set; }

    public ReadOnlySpan<HeaderRange> Headers => _section.Fields;

    public HeadParseStatus Parse(ReadOnlySpan<byte> buffer, int maxHead)
    {
        Reset();
        var lf = buffer[..Math.Min(buffer.Length, maxHead)].IndexOf((byte)'\n');
        if (lf < 0) return buffer.Length >= maxHead ? HeadParseStatus.TooLarge : HeadParseStatus.Incomplete;
        if (lf == 0 || buffer[lf - 1] != '\r' || !ParseStatusLine(buffer[..(lf - 1)])) return HeadParseStatus.Unsupported;

        var status = _section.Parse(buffer, lf + 1, maxHead);
        if (status != HeadParseStatus.Complete) return status;
        var s = _section;
        if (s.TransferEncodingInvalid || s.ContentLengthInvalid) return HeadParseStatus.Unsupported;
        if (s.HasTransferEncoding && (Http10 || s.ContentLength >= 0)) return HeadParseStatus.Unsupported;
        ContentLength = s.ContentLength;
        Chunked = s.HasTransferEncoding;
        ConnectionClose = s.ConnectionClose || (Http10 && !s.ConnectionKeepAlive);
        ConnectionHasOtherTokens = s.ConnectionOtherTokens;
        Length = s.End;
        return HeadParseStatus.Complete;
    }

    /// <summary>Index in <see cref="Headers"/> of the <paramref name="occurrence"/>-th (from 0) field named <paramref name="name"/> (ASCII case-insensitive), or -1.</summary>
    public int FindHeader(ReadOnlySpan<byte> buffer, string name, int occurrence = 0) => _section.Find(buffer, name, occurrence);

    /// <inheritdoc cref="FindHeader(ReadOnlySpan{byte}, string, int)"/>
    public int FindHeader(ReadOnlySpan<byte> buffer, ReadOnlySpan<byte> name, int occurrence = 0) => _section.Find(buffer, name, occurrence);

    private void Reset()
    {
        Length = Status = 0;
        Http10 = Chunked = ConnectionClose = ConnectionHasOtherTokens = false;
        ContentLength = -1;
    }

    /// <summary>HTTP/1.x SP 3DIGIT [SP reason]; the reason may be empty or missing with its space.</summary>
    private bool ParseStatusLine(ReadOnlySpan<byte> line)
    {
        if (line.Length < 12 || line[8] != ' ') return false;
        if (line[..8].SequenceEqual("HTTP/1.1"u8)) Http10 = false;
        else if (line[..8].SequenceEqual("HTTP/1.0"u8)) Http10 = true;
        else return false;
        var code = line.Slice(9, 3);
        if (code[0] is < (byte)'1' or > (byte)'9' || code.ContainsAnyExcept(HttpSyntax.Digit)) return false;
        if (line.Length > 12 && (line[12] != ' ' || line[13..].ContainsAnyExcept(HttpSyntax.FieldValue))) return false;
        Status = (code[0] - '0') * 100 + (code[1] - '0') * 10 + (code[2] - '0');
        return true;
    }
}
