using System.Buffers;

namespace Portolan.Proxy.Http1.Parsing;

/// <summary>The byte classes of RFC 9110/9112/3986 the parsers check against, as vectorizable sets.</summary>
internal static class HttpSyntax
{
    private const string Alpha = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    private const string Digits = "0123456789";

    /// <summary>tchar: method and field names.</summary>
    public static readonly SearchValues<byte> Token = SearchValues.Create(Bytes(Alpha + Digits + "!#$%&'*+-.^_`|~"));

    /// <summary>field-vchar / SP / HTAB / obs-text: everything but CTLs (HTAB allowed) and DEL.</summary>
    public static readonly SearchValues<byte> FieldValue = SearchValues.Create(FieldValueBytes());

    /// <summary>Visible ASCII allowed in an origin-form target; '%' and '#' are left to the slow path.</summary>
    public static readonly SearchValues<byte> Target = SearchValues.Create(TargetBytes());

    /// <summary>reg-name and IPv4address without pct-encoding: unreserved / sub-delims.</summary>
    public static readonly SearchValues<byte> RegName = SearchValues.Create(Bytes(Alpha + Digits + "-._~!$&'()*+,;="));

    /// <summary>What an IPv6 literal between brackets may hold (hex, ':', '.' for an embedded IPv4).</summary>
    public static readonly SearchValues<byte> Ipv6 = SearchValues.Create(Bytes("0123456789abcdefABCDEF:."));

    public static readonly SearchValues<byte> Digit = SearchValues.Create(Bytes(Digits));

    public static bool IsToken(ReadOnlySpan<byte> value) => !value.IsEmpty && !value.ContainsAnyExcept(Token);

    /// <summary>The value without leading and trailing SP/HTAB, as an offset range into <paramref name="buffer"/>.</summary>
    public static (int Start, int Length) Trim(ReadOnlySpan<byte> buffer, int start, int end)
    {
        var span = buffer[start..end];
        var first = span.IndexOfAnyExcept((byte)' ', (byte)'\t');
        if (first < 0) return (end, 0);
        var last = span.LastIndexOfAnyExcept((byte)' ', (byte)'\t');
        return (start + first, last - first + 1);
    }

    /// <summary>All-digit decimal of at most 18 digits (fits a long without overflow checks), else -1.</summary>
    public static long ParseDecimal(ReadOnlySpan<byte> digits)
    {
        if (digits.IsEmpty || digits.Length > 18 || digits.ContainsAnyExcept(Digit)) return -1;
        long value = 0;
        foreach (var b in digits) value = value * 10 + (b - '0');
        return value;
    }

    private static byte[] Bytes(string ascii) => System.Text.Encoding.ASCII.GetBytes(ascii);

    private static byte[] FieldValueBytes()
    {
        var bytes = new List<byte> { (byte)'\t' };
        for (var b = 0x20; b <= 0xFF; b++)
            if (b != 0x7F) bytes.Add((byte)b);
        return [.. bytes];
    }

    private static byte[] TargetBytes()
    {
        var bytes = new List<byte>();
        for (var b = 0x21; b <= 0x7E; b++)
            if (b is not '%' and not '#') bytes.Add((byte)b);
        return [.. bytes];
    }
}
