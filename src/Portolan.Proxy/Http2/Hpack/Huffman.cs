namespace Portolan.Proxy.Http2.Hpack;

/// <summary>
/// HPACK's Huffman string coding (RFC 7541 §5.2, Appendix B). The code is canonical (codes of one length are
/// consecutive and in symbol order; checked when the tables are built), so decoding reads a 32-bit window, finds the
/// code's length as the first length whose upper bound the window is below, and indexes the symbols sorted by code.
/// Codes of up to 8 bits (every letter, digit and common punctuation) come from one lookup on the window's top byte.
/// </summary>
internal static class Huffman
{
    // Top byte of the window → symbol | length << 8, for codes of at most 8 bits; 0 for longer ones.
    private static readonly ushort[] s_short = new ushort[256];
    // Per code length in use, ascending: the exclusive upper bound of its codes as a window value (so 2^32 for the
    // longest), the length, and where its first code's symbol sits in s_symbols, minus that first code.
    private static readonly ulong[] s_limit;
    private static readonly byte[] s_length;
    private static readonly int[] s_base;
    private static readonly int s_firstLong; // the first of those with more than 8 bits
    private static readonly short[] s_symbols = new short[HuffmanCode.Eos + 1];

    static Huffman()
    {
        var codes = HuffmanCode.Codes;
        var lengths = HuffmanCode.Lengths;
        for (short s = 0; s <= HuffmanCode.Eos; s++) s_symbols[s] = s;
        var sortKeys = new int[s_symbols.Length];
        for (var s = 0; s < sortKeys.Length; s++) sortKeys[s] = lengths[s] << 16 | s;
        Array.Sort(sortKeys, s_symbols);

        var limits = new List<ulong>();
        var lengthList = new List<byte>();
        var bases = new List<int>();
        ulong code = 0;
        for (var i = 0; i < s_symbols.Length;)
        {
            var length = lengths[s_symbols[i]];
            var first = code;
            var start = i;
            for (; i < s_symbols.Length && lengths[s_symbols[i]] == length; i++, code++)
            {
                if (codes[s_symbols[i]] != code) throw new InvalidOperationException("The HPACK Huffman table is not canonical.");
                if (length <= 8)
                {
                    var low = (int)(code << (8 - length));
                    for (var b = 0; b < 1 << (8 - length); b++) s_short[low + b] = (ushort)((ushort)s_symbols[i] | length << 8);
                }
            }
            limits.Add(code << (32 - length));
            lengthList.Add(length);
            bases.Add(start - (int)first);
            if (i < s_symbols.Length) code <<= lengths[s_symbols[i]] - length;
        }
        s_limit = [.. limits];
        s_length = [.. lengthList];
        s_base = [.. bases];
        s_firstLong = lengthList.FindIndex(l => l > 8);
    }

    /// <summary>The Huffman-coded length of <paramref name="source"/> in bytes, padding included.</summary>
    public static long EncodedLength(ReadOnlySpan<byte> source)
    {
        var lengths = HuffmanCode.Lengths;
        long bits = 0;
        foreach (var b in source) bits += lengths[b];
        return (bits + 7) >> 3;
    }

    /// <summary>
    /// Huffman-codes <paramref name="source"/> into <paramref name="destination"/>, which must hold
    /// <see cref="EncodedLength"/> bytes; pads the last byte with ones (the EOS prefix). Returns the bytes written.
    /// </summary>
    public static int Encode(ReadOnlySpan<byte> source, Span<byte> destination)
    {
        var codes = HuffmanCode.Codes;
        var lengths = HuffmanCode.Lengths;
        ulong pending = 0; // the low `bits` bits are not written yet
        var bits = 0;
        var n = 0;
        foreach (var b in source)
        {
            pending = pending << lengths[b] | codes[b];
            bits += lengths[b];
            while (bits >= 8)
            {
                bits -= 8;
                destination[n++] = (byte)(pending >> bits);
            }
        }
        if (bits > 0) destination[n++] = (byte)(pending << (8 - bits) | (0xFFu >> bits));
        return n;
    }

    /// <summary>Decoding failed: EOS in the string, or padding longer than 7 bits or not all ones.</summary>
    public const int Malformed = -1;

    /// <summary>The string is well-formed but decodes to more than the destination holds.</summary>
    public const int TooLong = -2;

    /// <summary>
    /// Decodes <paramref name="source"/> into <paramref name="destination"/>. Returns the decoded length,
    /// <see cref="Malformed"/>, or <see cref="TooLong"/> (the whole string is still checked, so a malformed one
    /// that is also too long is reported as malformed).
    /// </summary>
    public static int Decode(ReadOnlySpan<byte> source, Span<byte> destination)
    {
        ulong pending = 0; // the low `bits` bits are not decoded yet
        var bits = 0;
        var i = 0;
        var n = 0;
        var tooLong = false;
        while (true)
        {
            // Keep at least 30 bits (the longest code) while input lasts; fewer means the input has ended.
            while (bits <= 56 && i < source.Length)
            {
                pending = pending << 8 | source[i++];
                bits += 8;
            }
            if (bits == 0) break;

            // The next 32 bits, left-aligned; past the end, ones (so padding reads as an unfinished long code).
            var window = bits >= 32 ? (uint)(pending >> (bits - 32)) : (uint)(pending << (32 - bits)) | uint.MaxValue >> bits;
            int symbol, length;
            var quick = s_short[window >> 24];
            if (quick != 0)
            {
                symbol = quick & 0xFF;
                length = quick >> 8;
            }
            else
            {
                var k = s_firstLong;
                while (window >= s_limit[k]) k++;
                length = s_length[k];
                symbol = s_symbols[s_base[k] + (int)(window >> (32 - length))];
            }

            if (length > bits)
            {
                // Only padding is left: at most 7 bits, all ones (RFC 7541 §5.2).
                var mask = (1UL << bits) - 1;
                if (bits > 7 || (pending & mask) != mask) return Malformed;
                break;
            }
            if (symbol == HuffmanCode.Eos) return Malformed;
            bits -= length;
            if (n < destination.Length) destination[n++] = (byte)symbol;
            else tooLong = true;
        }
        return tooLong ? TooLong : n;
    }
}
