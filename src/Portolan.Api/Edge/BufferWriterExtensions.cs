using System.Buffers;
using System.Text;

namespace Portolan.Api.Edge;

internal static class BufferWriterExtensions
{
    /// <summary>Writes <paramref name="text"/> as UTF-8 with no escaping of any kind.</summary>
    public static void WriteUtf8(this IBufferWriter<byte> writer, ReadOnlySpan<char> text)
    {
        var span = writer.GetSpan(Encoding.UTF8.GetMaxByteCount(text.Length));
        writer.Advance(Encoding.UTF8.GetBytes(text, span));
    }

    private const string HexLower = "0123456789abcdef";

    /// <summary>Writes <paramref name="bytes"/> as lower-case hex, the form SigV4 uses for hashes and signatures.</summary>
    public static void WriteHexLower(this IBufferWriter<byte> writer, ReadOnlySpan<byte> bytes)
    {
        var span = writer.GetSpan(bytes.Length * 2);
        for (var i = 0; i < bytes.Length; i++)
        {
            span[2 * i] = (byte)HexLower[bytes[i] >> 4];
            span[(2 * i) + 1] = (byte)HexLower[bytes[i] & 0xF];
        }

        writer.Advance(bytes.Length * 2);
    }
}
