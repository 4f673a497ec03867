using System.Buffers;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;
using Portolan.Api.Edge;

namespace Portolan.Api.Auth;

/// <summary>
/// Builds the SigV4 canonical request (AWS "Create a canonical request") as UTF-8 bytes. Every rule mirrors what the
/// signing SDKs do, because the server must reproduce their bytes exactly:
/// <list type="bullet">
/// <item>URI: the path as it was on the wire (so already percent-encoded once), with <c>.</c>, <c>..</c> and empty
/// segments removed, then percent-encoded again except for unreserved characters and <c>/</c>. Every AWS service
/// but S3 signs this double-encoded form.</item>
/// <item>Query: each name and value decoded and re-encoded strictly (RFC 3986, upper-case hex), sorted by name then
/// value; a presigned request leaves out <c>X-Amz-Signature</c>.</item>
/// <item>Headers: in <c>SignedHeaders</c> order, lower-case names, values trimmed with inner whitespace runs
/// collapsed to one space, repeated headers joined with commas.</item>
/// </list>
/// </summary>
internal static class CanonicalRequest
{
    private const string HexUpper = "0123456789ABCDEF";

    public static void Write(
        IBufferWriter<byte> output,
        string method,
        string rawTarget,
        IHeaderDictionary headers,
        string signedHeaders,
        ReadOnlySpan<char> payloadHash,
        bool excludeSignatureParameter)
    {
        SplitTarget(rawTarget, out var path, out var query);
        WriteAscii(output, method);
        output.Write("\n"u8);
        WritePath(output, path);
        output.Write("\n"u8);
        WriteQuery(output, query, excludeSignatureParameter);
        output.Write("\n"u8);
        WriteHeaders(output, headers, signedHeaders);
        output.Write("\n"u8);
        WriteAscii(output, signedHeaders);
        output.Write("\n"u8);
        WriteAscii(output, payloadHash);
    }

    /// <summary>
    /// Splits a request target into path and query. An absolute-form target (<c>http://data-127.0.0.1:7766/</c>, sent
    /// through an HTTP proxy, WIRE.md §4) signs only its path, like the origin form the client signed.
    /// </summary>
    public static void SplitTarget(string rawTarget, out ReadOnlySpan<char> path, out ReadOnlySpan<char> query)
    {
        var target = rawTarget.AsSpan();
        if (!target.IsEmpty && target[0] != '/')
        {
            var scheme = target.IndexOf("://", StringComparison.Ordinal);
            if (scheme >= 0)
            {
                var authority = target[(scheme + 3)..];
                var pathStart = authority.IndexOfAny('/', '?');
                target = pathStart < 0 ? [] : authority[pathStart..];
            }
        }

        var q = target.IndexOf('?');
        path = q < 0 ? target : target[..q];
        query = q < 0 ? [] : target[(q + 1)..];
        if (path.IsEmpty)
        {
            path = "/";
        }
    }

    internal static void WritePath(IBufferWriter<byte> output, ReadOnlySpan<char> path)
    {
        if (path.SequenceEqual("/"))
        {
            output.Write("/"u8);
            return;
        }

        // Remove "." / ".." / empty segments first; a path that is all of those collapses to "/".
        var segments = new List<Range>();
        foreach (var range in path.Split('/'))
        {
            var segment = path[range];
            if (segment.IsEmpty || segment.SequenceEqual("."))
            {
                continue;
            }

            if (segment.SequenceEqual(".."))
            {
                if (segments.Count > 0)
                {
                    segments.RemoveAt(segments.Count - 1);
                }

                continue;
            }

            segments.Add(range);
        }

        output.Write("/"u8);
        for (var i = 0; i < segments.Count; i++)
        {
            if (i > 0)
            {
                output.Write("/"u8);
            }

            WriteEncoded(output, path[segments[i]]);
        }

        if (segments.Count > 0 && path[^1] == '/')
        {
            output.Write("/"u8);
        }
    }

    internal static void WriteQuery(IBufferWriter<byte> output, ReadOnlySpan<char> query, bool excludeSignatureParameter)
    {
        if (query.IsEmpty)
        {
            return;
        }

        var pairs = new List<(string Name, string Value)>();
        byte[]? scratch = null;
        try
        {
            foreach (var range in query.Split('&'))
            {
                var pair = query[range];
                if (pair.IsEmpty)
                {
                    continue;
                }

                var eq = pair.IndexOf('=');
                var name = Reencode(eq < 0 ? pair : pair[..eq], ref scratch);
                if (excludeSignatureParameter && name == "X-Amz-Signature")
                {
                    continue;
                }

                pairs.Add((name, Reencode(eq < 0 ? [] : pair[(eq + 1)..], ref scratch)));
            }
        }
        finally
        {
            if (scratch is not null)
            {
                ArrayPool<byte>.Shared.Return(scratch);
            }
        }

        pairs.Sort(static (a, b) =>
        {
            var byName = string.CompareOrdinal(a.Name, b.Name);
            return byName != 0 ? byName : string.CompareOrdinal(a.Value, b.Value);
        });
        for (var i = 0; i < pairs.Count; i++)
        {
            if (i > 0)
            {
                output.Write("&"u8);
            }

            WriteAscii(output, pairs[i].Name);
            output.Write("="u8);
            WriteAscii(output, pairs[i].Value);
        }
    }

    private static void WriteHeaders(IBufferWriter<byte> output, IHeaderDictionary headers, string signedHeaders)
    {
        foreach (var range in signedHeaders.AsSpan().Split(';'))
        {
            var name = signedHeaders.AsSpan(range);
            if (name.IsEmpty)
            {
                continue;
            }

            WriteLowerAscii(output, name);
            output.Write(":"u8);
            var values = headers[name.ToString()];
            for (var i = 0; i < values.Count; i++)
            {
                if (i > 0)
                {
                    output.Write(","u8);
                }

                WriteCollapsed(output, values[i]);
            }

            output.Write("\n"u8);
        }
    }

    /// <summary>Trims a header value and turns each inner run of spaces or tabs into one space.</summary>
    private static void WriteCollapsed(IBufferWriter<byte> output, string? value)
    {
        var text = value.AsSpan().Trim(" \t");
        var pendingSpace = false;
        var start = 0;
        for (var i = 0; i <= text.Length; i++)
        {
            var isBlank = i < text.Length && (text[i] == ' ' || text[i] == '\t');
            if (i < text.Length && !isBlank)
            {
                continue;
            }

            if (i > start)
            {
                if (pendingSpace)
                {
                    output.Write(" "u8);
                }

                output.WriteUtf8(text[start..i]);
                pendingSpace = true;
            }

            start = i + 1;
        }
    }

    /// <summary>Percent-decodes (no '+' rule: it is not a form) and re-encodes strictly.</summary>
    private static string Reencode(ReadOnlySpan<char> raw, ref byte[]? scratch)
    {
        var utf8Length = Encoding.UTF8.GetByteCount(raw);
        if (scratch is null || scratch.Length < utf8Length)
        {
            if (scratch is not null)
            {
                ArrayPool<byte>.Shared.Return(scratch);
            }

            scratch = ArrayPool<byte>.Shared.Rent(Math.Max(utf8Length, 64));
        }

        var encoded = Encoding.UTF8.GetBytes(raw, scratch);
        var decodedLength = 0;
        for (var i = 0; i < encoded; i++)
        {
            var b = scratch[i];
            if (b == (byte)'%' && i + 2 < encoded && FormDecoder.TryHex(scratch[i + 1], scratch[i + 2], out var decoded))
            {
                scratch[decodedLength++] = decoded;
                i += 2;
            }
            else
            {
                scratch[decodedLength++] = b;
            }
        }

        var builder = new StringBuilder(decodedLength * 3);
        foreach (var b in scratch.AsSpan(0, decodedLength))
        {
            if (IsUnreserved(b))
            {
                builder.Append((char)b);
            }
            else
            {
                builder.Append('%').Append(HexUpper[b >> 4]).Append(HexUpper[b & 0xF]);
            }
        }

        return builder.ToString();
    }

    /// <summary>Percent-encodes every UTF-8 byte of <paramref name="text"/> except RFC 3986 unreserved characters.</summary>
    private static void WriteEncoded(IBufferWriter<byte> output, ReadOnlySpan<char> text)
    {
        Span<byte> utf8 = stackalloc byte[4];
        Span<char> one = stackalloc char[2];
        for (var i = 0; i < text.Length; i++)
        {
            int length;
            if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                one[0] = text[i];
                one[1] = text[++i];
                length = Encoding.UTF8.GetBytes(one, utf8);
            }
            else
            {
                one[0] = text[i];
                length = Encoding.UTF8.GetBytes(one[..1], utf8);
            }

            foreach (var b in utf8[..length])
            {
                if (IsUnreserved(b))
                {
                    output.GetSpan(1)[0] = b;
                    output.Advance(1);
                }
                else
                {
                    var span = output.GetSpan(3);
                    span[0] = (byte)'%';
                    span[1] = (byte)HexUpper[b >> 4];
                    span[2] = (byte)HexUpper[b & 0xF];
                    output.Advance(3);
                }
            }
        }
    }

    private static bool IsUnreserved(byte b) =>
        char.IsAsciiLetterOrDigit((char)b) || b == (byte)'-' || b == (byte)'_' || b == (byte)'.' || b == (byte)'~';

    private static void WriteAscii(IBufferWriter<byte> output, ReadOnlySpan<char> text) => output.WriteUtf8(text);

    private static void WriteLowerAscii(IBufferWriter<byte> output, ReadOnlySpan<char> text)
    {
        var span = output.GetSpan(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            span[i] = (byte)char.ToLowerInvariant(text[i]);
        }

        output.Advance(text.Length);
    }
}
