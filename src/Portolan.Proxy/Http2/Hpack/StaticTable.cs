using System.Text;

namespace Portolan.Proxy.Http2.Hpack;

/// <summary>HPACK's static table (RFC 7541 Appendix A): indices 1 to 61.</summary>
internal static class StaticTable
{
    public const int Count = 61;

    private static readonly (string Name, string Value)[] s_entries =
    [
        (":authority", ""), (":method", "GET"), (":method", "POST"), (":path", "/"), (":path", "/index.html"),
        (":scheme", "http"), (":scheme", "https"), (":status", "200"), (":status", "204"), (":status", "206"),
        (":status", "304"), (":status", "400"), (":status", "404"), (":status", "500"), ("accept-charset", ""),
        ("accept-encoding", "gzip, deflate"), ("accept-language", ""), ("accept-ranges", ""), ("accept", ""),
        ("access-control-allow-origin", ""), ("age", ""), ("allow", ""), ("authorization", ""), ("cache-control", ""),
        ("content-disposition", ""), ("content-encoding", ""), ("content-language", ""), ("content-length", ""),
        ("content-location", ""), ("content-range", ""), ("content-type", ""), ("cookie", ""), ("date", ""),
        ("etag", ""), ("expect", ""), ("expires", ""), ("from", ""), ("host", ""), ("if-match", ""),
        ("if-modified-since", ""), ("if-none-match", ""), ("if-range", ""), ("if-unmodified-since", ""),
        ("last-modified", ""), ("link", ""), ("location", ""), ("max-forwards", ""), ("proxy-authenticate", ""),
        ("proxy-authorization", ""), ("range", ""), ("referer", ""), ("refresh", ""), ("retry-after", ""),
        ("server", ""), ("set-cookie", ""), ("strict-transport-security", ""), ("transfer-encoding", ""),
        ("user-agent", ""), ("vary", ""), ("via", ""), ("www-authenticate", ""),
    ];

    // Slot 0 unused, so an HPACK index is the array index.
    private static readonly byte[][] s_names = new byte[Count + 1][];
    private static readonly byte[][] s_values = new byte[Count + 1][];
    // Name length → the indices with a name that long, ascending (entries sharing a name are adjacent).
    private static readonly int[][] s_byNameLength;

    static StaticTable()
    {
        s_names[0] = s_values[0] = [];
        var longest = 0;
        for (var i = 1; i <= Count; i++)
        {
            s_names[i] = Encoding.ASCII.GetBytes(s_entries[i - 1].Name);
            s_values[i] = Encoding.ASCII.GetBytes(s_entries[i - 1].Value);
            longest = Math.Max(longest, s_names[i].Length);
        }
        s_byNameLength = new int[longest + 1][];
        for (var length = 0; length <= longest; length++)
            s_byNameLength[length] = [.. Enumerable.Range(1, Count).Where(i => s_names[i].Length == length)];
    }

    /// <summary>The name at <paramref name="index"/> (1 to <see cref="Count"/>).</summary>
    public static ReadOnlySpan<byte> Name(int index) => s_names[index];

    /// <summary>The value at <paramref name="index"/> (1 to <see cref="Count"/>); empty for name-only entries.</summary>
    public static ReadOnlySpan<byte> Value(int index) => s_values[index];

    /// <summary>
    /// The index of the entry matching <paramref name="name"/> and <paramref name="value"/> (then
    /// <paramref name="valueMatched"/> is set), else of the first entry with that name, else 0.
    /// </summary>
    public static int Find(ReadOnlySpan<byte> name, ReadOnlySpan<byte> value, out bool valueMatched)
    {
        valueMatched = false;
        if (name.Length >= s_byNameLength.Length) return 0;
        var nameIndex = 0;
        foreach (var i in s_byNameLength[name.Length])
        {
            if (!name.SequenceEqual(s_names[i]))
            {
                if (nameIndex != 0) break; // past the entries with this name
                continue;
            }
            if (nameIndex == 0) nameIndex = i;
            if (value.SequenceEqual(s_values[i]))
            {
                valueMatched = true;
                return i;
            }
        }
        return nameIndex;
    }
}
