using System.Buffers;
using System.Text;

namespace Portolan.Api.Edge;

/// <summary>
/// Decodes an <c>application/x-www-form-urlencoded</c> body (the Query protocol, WIRE.md §5) into flat keys such as
/// <c>Targets.member.1.Id</c>. Works on the raw bytes so that no intermediate string of the whole body is built.
/// </summary>
internal static class FormDecoder
{
    /// <summary>
    /// Decodes <paramref name="body"/>. <c>+</c> is a space and <c>%XX</c> a byte, and the bytes are UTF-8. A
    /// malformed escape is kept literally instead of failing the request, as lenient servers do. When a key repeats,
    /// the last value wins.
    /// </summary>
    public static Dictionary<string, string> Decode(ReadOnlySpan<byte> body)
    {
        var result = new Dictionary<string, string>(CountPairs(body), StringComparer.Ordinal);
        byte[]? scratch = null;
        try
        {
            while (!body.IsEmpty)
            {
                var end = body.IndexOf((byte)'&');
                var pair = end < 0 ? body : body[..end];
                body = end < 0 ? [] : body[(end + 1)..];
                if (pair.IsEmpty)
                {
                    continue;
                }

                var eq = pair.IndexOf((byte)'=');
                var rawKey = eq < 0 ? pair : pair[..eq];
                var rawValue = eq < 0 ? [] : pair[(eq + 1)..];
                var key = DecodeComponent(rawKey, ref scratch);
                if (key.Length == 0)
                {
                    continue;
                }

                result[key] = DecodeComponent(rawValue, ref scratch);
            }
        }
        finally
        {
            if (scratch is not null)
            {
                ArrayPool<byte>.Shared.Return(scratch);
            }
        }

        return result;
    }

    /// <summary>Percent-decodes one key or value; the escape-free case (most keys) goes straight to UTF-8.</summary>
    internal static string DecodeComponent(ReadOnlySpan<byte> raw, ref byte[]? scratch)
    {
        if (raw.IsEmpty)
        {
            return string.Empty;
        }

        if (raw.IndexOfAny((byte)'%', (byte)'+') < 0)
        {
            return Encoding.UTF8.GetString(raw);
        }

        // Decoding only ever shrinks the text, so a scratch buffer of the raw length is enough.
        if (scratch is null || scratch.Length < raw.Length)
        {
            if (scratch is not null)
            {
                ArrayPool<byte>.Shared.Return(scratch);
            }

            scratch = ArrayPool<byte>.Shared.Rent(raw.Length);
        }

        var length = 0;
        for (var i = 0; i < raw.Length; i++)
        {
            var b = raw[i];
            if (b == (byte)'+')
            {
                scratch[length++] = (byte)' ';
            }
            else if (b == (byte)'%' && i + 2 < raw.Length && TryHex(raw[i + 1], raw[i + 2], out var decoded))
            {
                scratch[length++] = decoded;
                i += 2;
            }
            else
            {
                scratch[length++] = b;
            }
        }

        return Encoding.UTF8.GetString(scratch, 0, length);
    }

    internal static bool TryHex(byte high, byte low, out byte value)
    {
        var h = HexValue(high);
        var l = HexValue(low);
        value = (byte)((h << 4) | l);
        return (h | l) >= 0;
    }

    private static int HexValue(byte c) => c switch
    {
        >= (byte)'0' and <= (byte)'9' => c - '0',
        >= (byte)'A' and <= (byte)'F' => c - 'A' + 10,
        >= (byte)'a' and <= (byte)'f' => c - 'a' + 10,
        _ => -1,
    };

    private static int CountPairs(ReadOnlySpan<byte> body) => body.IsEmpty ? 0 : body.Count((byte)'&') + 1;
}
