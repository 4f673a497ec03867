using System.Diagnostics.CodeAnalysis;
using System.Text;

namespace Portolan.Dns.Wire;

/// <summary>
/// Names in uncompressed wire form (length-prefixed labels ending in the root's zero octet). Comparison and
/// hashing fold ASCII case only, as DNS does (RFC 4343); label length octets are below 'A', so folding the
/// whole buffer is safe.
/// </summary>
internal static class DnsName
{
    /// <summary>The root name: one zero octet.</summary>
    public static ReadOnlySpan<byte> Root => [0];

    /// <summary>
    /// Encodes a dotted name (<c>web.example.local</c>, trailing dot optional) as wire form, keeping its case.
    /// Returns false for empty labels, labels over 63 octets, non-ASCII text or names over 255 octets.
    /// </summary>
    public static bool TryEncode(string dotted, [NotNullWhen(true)] out byte[]? wire)
    {
        wire = null;
        if (dotted.Length > 0 && dotted[^1] == '.') dotted = dotted[..^1];
        if (dotted.Length == 0)
        {
            wire = [0];
            return true;
        }

        if (dotted.Length + 2 > DnsLimits.MaxNameLength) return false;
        var buffer = new byte[dotted.Length + 2];
        var labelStart = 0;
        for (var i = 0; i <= dotted.Length; i++)
        {
            if (i < dotted.Length && dotted[i] != '.')
            {
                if (dotted[i] > 0x7E || dotted[i] < 0x21) return false;
                buffer[i + 1] = (byte)dotted[i];
                continue;
            }

            var length = i - labelStart;
            if (length is 0 or > DnsLimits.MaxLabelLength) return false;
            buffer[labelStart] = (byte)length;
            labelStart = i + 1;
        }

        wire = buffer;
        return true;
    }

    /// <summary>Concatenates relative labels (no root octet) with a full name.</summary>
    public static bool TryConcat(ReadOnlySpan<byte> relativeLabels, ReadOnlySpan<byte> name, [NotNullWhen(true)] out byte[]? wire)
    {
        wire = null;
        if (relativeLabels.Length + name.Length > DnsLimits.MaxNameLength) return false;
        wire = new byte[relativeLabels.Length + name.Length];
        relativeLabels.CopyTo(wire);
        name.CopyTo(wire.AsSpan(relativeLabels.Length));
        return true;
    }

    /// <summary>The name with every ASCII upper-case letter folded.</summary>
    public static byte[] ToLower(ReadOnlySpan<byte> name)
    {
        var lower = name.ToArray();
        for (var i = 0; i < lower.Length; i++) lower[i] = Fold(lower[i]);
        return lower;
    }

    public static bool EqualsIgnoreCase(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b)
    {
        if (a.Length != b.Length) return false;
        for (var i = 0; i < a.Length; i++)
        {
            if (a[i] != b[i] && Fold(a[i]) != Fold(b[i])) return false;
        }

        return true;
    }

    /// <summary>FNV-1a over the case-folded octets.</summary>
    public static int Hash(ReadOnlySpan<byte> name)
    {
        var hash = 2166136261u;
        foreach (var b in name)
        {
            hash = (hash ^ Fold(b)) * 16777619u;
        }

        return (int)hash;
    }

    /// <summary>The name without its first label (the parent); the root has no parent and returns empty.</summary>
    public static ReadOnlySpan<byte> Parent(ReadOnlySpan<byte> name) => name.Length <= 1 ? [] : name[(name[0] + 1)..];

    public static int LabelCount(ReadOnlySpan<byte> name)
    {
        var count = 0;
        for (var i = 0; i < name.Length && name[i] != 0; i += name[i] + 1) count++;
        return count;
    }

    /// <summary>Dotted text for logs and tests (<c>web.example.local.</c>); octets outside printable ASCII as <c>\DDD</c>.</summary>
    public static string ToDotted(ReadOnlySpan<byte> name)
    {
        if (name.Length <= 1) return ".";
        var text = new StringBuilder(name.Length);
        for (var i = 0; i < name.Length && name[i] != 0; i += name[i] + 1)
        {
            foreach (var b in name.Slice(i + 1, Math.Min(name[i], name.Length - i - 1)))
            {
                if (b is > 0x20 and < 0x7F && b != '.' && b != '\\') text.Append((char)b);
                else text.Append('\\').Append(((int)b).ToString("D3", System.Globalization.CultureInfo.InvariantCulture));
            }

            text.Append('.');
        }

        return text.ToString();
    }

    private static byte Fold(byte b) => (uint)(b - 'A') <= 'Z' - 'A' ? (byte)(b | 0x20) : b;
}
