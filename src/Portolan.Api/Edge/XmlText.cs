using System.Buffers;

namespace Portolan.Api.Edge;

/// <summary>Writes text as UTF-8 XML character data or attribute content, escaping as it goes.</summary>
internal static class XmlText
{
    // Markup characters plus every code unit XML 1.0 cannot carry at all (C0 controls other than tab/LF/CR, and
    // the two non-characters U+FFFE/U+FFFF). Lone surrogates are left to the UTF-8 encoder, which replaces them.
    private static readonly SearchValues<char> Special = SearchValues.Create(
        "&<>\"'\u0000\u0001\u0002\u0003\u0004\u0005\u0006\u0007\u0008\u000B\u000C\u000E\u000F" +
        "\u0010\u0011\u0012\u0013\u0014\u0015\u0016\u0017\u0018\u0019\u001A\u001B\u001C\u001D\u001E\u001F\uFFFE\uFFFF");

    public static void WriteEscaped(IBufferWriter<byte> writer, ReadOnlySpan<char> text)
    {
        while (!text.IsEmpty)
        {
            var special = text.IndexOfAny(Special);
            var plain = special < 0 ? text : text[..special];
            if (!plain.IsEmpty)
            {
                writer.WriteUtf8(plain);
            }

            if (special < 0)
            {
                return;
            }

            writer.Write(text[special] switch
            {
                '&' => "&amp;"u8,
                '<' => "&lt;"u8,
                '>' => "&gt;"u8,
                '"' => "&quot;"u8,
                '\'' => "&apos;"u8,
                // Not representable in XML 1.0, not even as a character reference: show U+FFFD instead.
                _ => "\uFFFD"u8,
            });
            text = text[(special + 1)..];
        }
    }
}
