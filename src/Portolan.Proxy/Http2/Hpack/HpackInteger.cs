namespace Portolan.Proxy.Http2.Hpack;

/// <summary>HPACK's prefixed integers (RFC 7541 §5.1), limited to what fits an <see cref="int"/>.</summary>
internal static class HpackInteger
{
    // 2^31 - 1 needs at most 5 continuation bytes past a full prefix (the 5th carrying bits 28–34).
    private const int MaxContinuationShift = 28;

    /// <summary>
    /// Decodes the integer starting at <paramref name="position"/> (which must be inside <paramref name="source"/>)
    /// in the low <paramref name="prefixBits"/> bits of that byte, and moves past it. False when the integer is
    /// truncated, exceeds <see cref="int.MaxValue"/> or runs past five continuation bytes.
    /// </summary>
    public static bool TryDecode(ReadOnlySpan<byte> source, ref int position, int prefixBits, out int value)
    {
        var mask = (1 << prefixBits) - 1;
        var pos = position;
        value = source[pos++] & mask;
        if (value == mask)
        {
            long total = value;
            for (var shift = 0; ; shift += 7)
            {
                if (shift > MaxContinuationShift || pos >= source.Length) return false;
                var b = source[pos++];
                total += (long)(b & 0x7F) << shift;
                if (total > int.MaxValue) return false;
                if ((b & 0x80) == 0) break;
            }
            value = (int)total;
        }
        position = pos;
        return true;
    }

    /// <summary>
    /// Writes <paramref name="value"/> (≥ 0) with a <paramref name="prefixBits"/>-bit prefix; the first byte's other
    /// bits are <paramref name="flags"/>. False (and <paramref name="written"/> 0) when <paramref name="destination"/> is
    /// too short.
    /// </summary>
    public static bool TryEncode(int value, int prefixBits, byte flags, Span<byte> destination, out int written)
    {
        var mask = (1 << prefixBits) - 1;
        written = 0;
        if (destination.IsEmpty) return false;
        if (value < mask)
        {
            destination[0] = (byte)(flags | value);
            written = 1;
            return true;
        }
        destination[0] = (byte)(flags | mask);
        var rest = (uint)(value - mask);
        var pos = 1;
        while (rest >= 0x80)
        {
            if (pos >= destination.Length) return false;
            destination[pos++] = (byte)(rest | 0x80);
            rest >>= 7;
        }
        if (pos >= destination.Length) return false;
        destination[pos++] = (byte)rest;
        written = pos;
        return true;
    }
}
