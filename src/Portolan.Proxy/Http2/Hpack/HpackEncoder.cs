namespace Portolan.Proxy.Http2.Hpack;

/// <summary>
/// Encodes header fields (RFC 7541) for one direction of one HTTP/2 connection. It never adds to the dynamic table,
/// so it keeps no table and a peer's table stays empty: a field equal to a static entry is sent indexed, any other
/// as a literal without indexing (never indexed when sensitive), with the static entry's index for its name when
/// there is one. Strings are Huffman-coded when that is shorter. Names are written lowercase (RFC 9113 §8.2.1), so
/// HTTP/1.1 names can be passed as received.
/// </summary>
internal sealed class HpackEncoder
{
    private byte[] _lowercase = new byte[64];

    /// <summary>
    /// Writes one field to <paramref name="destination"/>. A <paramref name="sensitive"/> field (credentials, cookies
    /// worth protecting) goes as a literal never indexed, which intermediaries must keep as such. False (and
    /// <paramref name="written"/> 0) when <paramref name="destination"/> is too short; its bytes may have been
    /// overwritten.
    /// </summary>
    public bool TryEncode(ReadOnlySpan<byte> name, ReadOnlySpan<byte> value, bool sensitive, Span<byte> destination, out int written)
    {
        written = 0;
        if (name.ContainsAnyInRange((byte)'A', (byte)'Z')) name = Lowercase(name);

        var index = StaticTable.Find(name, value, out var valueMatched);
        if (valueMatched && !sensitive) return HpackInteger.TryEncode(index, 7, 0x80, destination, out written);

        if (!HpackInteger.TryEncode(index, 4, sensitive ? (byte)0x10 : (byte)0x00, destination, out var pos)) return false;
        if (index == 0 && !TryWriteString(name, destination, ref pos)) return false;
        if (!TryWriteString(value, destination, ref pos)) return false;
        written = pos;
        return true;
    }

    /// <summary>
    /// Writes a dynamic table size update (RFC 7541 §6.3), which belongs at the start of a header block, e.g. 0 after
    /// the peer lowered its SETTINGS_HEADER_TABLE_SIZE. False (and <paramref name="written"/> 0) when it does not fit.
    /// </summary>
    public static bool TryEncodeTableSizeUpdate(int size, Span<byte> destination, out int written)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(size);
        return HpackInteger.TryEncode(size, 5, 0x20, destination, out written);
    }

    private static bool TryWriteString(ReadOnlySpan<byte> text, Span<byte> destination, ref int pos)
    {
        var huffmanLength = Huffman.EncodedLength(text);
        var huffman = huffmanLength < text.Length;
        var length = huffman ? (int)huffmanLength : text.Length;
        if (!HpackInteger.TryEncode(length, 7, huffman ? (byte)0x80 : (byte)0x00, destination[pos..], out var prefix)
            || length > destination.Length - pos - prefix) return false;
        pos += prefix;
        if (huffman) Huffman.Encode(text, destination[pos..]);
        else text.CopyTo(destination[pos..]);
        pos += length;
        return true;
    }

    private ReadOnlySpan<byte> Lowercase(ReadOnlySpan<byte> name)
    {
        if (_lowercase.Length < name.Length) _lowercase = new byte[Math.Max(name.Length, 2 * _lowercase.Length)];
        var lower = _lowercase.AsSpan(0, name.Length);
        for (var i = 0; i < name.Length; i++)
        {
            var b = name[i];
            lower[i] = (uint)(b - 'A') <= 'Z' - 'A' ? (byte)(b | 0x20) : b;
        }
        return lower;
    }
}
