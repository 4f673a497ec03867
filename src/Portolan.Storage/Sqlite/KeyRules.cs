using System.Text;

namespace Portolan.Storage.Sqlite;

/// <summary>
/// Key validation and ordering. SQLite stores TEXT as UTF-8 and compares it with the BINARY collation, i.e.
/// memcmp of the UTF-8 bytes, which is Unicode code point order. That equals .NET ordinal (UTF-16 code unit)
/// order for every key without supplementary-plane characters, so for Portolan's ASCII keys "ordinal" and
/// "what SQLite does" are the same thing. etcd compares raw bytes too, so code point order is the portable one;
/// <see cref="Comparer"/> reproduces it in memory so live watch batches sort exactly like replayed ones.
/// </summary>
internal static class KeyRules
{
    public static readonly IComparer<string> Comparer = new CodePointComparer();

    /// <summary>
    /// Rejects keys SQLite would silently alter: a lone surrogate cannot be encoded as UTF-8 (it would be
    /// replaced, so the stored key would differ from the given one) and NUL stops SQLite's length()/substr().
    /// </summary>
    public static void Validate(string key, string paramName, bool allowEmpty = false)
    {
        ArgumentNullException.ThrowIfNull(key, paramName);
        if (key.Length == 0 && !allowEmpty)
        {
            throw new ArgumentException("A key must not be empty.", paramName);
        }

        for (var i = 0; i < key.Length; i++)
        {
            var c = key[i];
            if (c == '\0')
            {
                throw new ArgumentException("A key must not contain NUL.", paramName);
            }

            if (char.IsHighSurrogate(c) && i + 1 < key.Length && char.IsLowSurrogate(key[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(c))
            {
                throw new ArgumentException("A key must be valid UTF-16 (no lone surrogate).", paramName);
            }
        }
    }

    /// <summary>
    /// The smallest string greater than every key that starts with <paramref name="prefix"/>: the prefix with
    /// its last code point incremented. Null when there is none (empty prefix, or only U+10FFFF), in which case
    /// callers fall back to an explicit starts-with test.
    /// </summary>
    public static string? UpperBound(string prefix)
    {
        var end = prefix.Length;
        while (end > 0)
        {
            var isPair = end >= 2 && char.IsSurrogatePair(prefix[end - 2], prefix[end - 1]);
            var start = isPair ? end - 2 : end - 1;
            var rune = Rune.GetRuneAt(prefix, start);
            if (rune.Value < 0x10FFFF)
            {
                var next = rune.Value + 1 == 0xD800 ? 0xE000 : rune.Value + 1;
                return string.Concat(prefix.AsSpan(0, start), new Rune(next).ToString());
            }

            end = start;
        }

        return null;
    }

    public static bool InPrefix(string key, string prefix) => key.StartsWith(prefix, StringComparison.Ordinal);

    /// <summary>UTF-16 compared in code point order (the classic surrogate fix-up), matching UTF-8 memcmp.</summary>
    private sealed class CodePointComparer : IComparer<string>
    {
        public int Compare(string? x, string? y)
        {
            if (ReferenceEquals(x, y))
            {
                return 0;
            }

            if (x is null || y is null)
            {
                return x is null ? -1 : 1;
            }

            var n = Math.Min(x.Length, y.Length);
            for (var i = 0; i < n; i++)
            {
                int a = x[i], b = y[i];
                if (a == b)
                {
                    continue;
                }

                if (a >= 0xD800 && b >= 0xD800)
                {
                    a = Fix(a);
                    b = Fix(b);
                }

                return a - b;
            }

            return x.Length - y.Length;
        }

        // Surrogates (supplementary code points) sort after U+E000..U+FFFF in code point order.
        private static int Fix(int c) => c >= 0xE000 ? c - 0x800 : c + 0x2000;
    }
}
