namespace Portolan.Proxy.Http2.Frames;

/// <summary>
/// The client connection preface (RFC 9113 §3.4): these 24 bytes, then a SETTINGS frame. The server's preface is
/// just its SETTINGS frame.
/// </summary>
internal static class Preface
{
    public const int Length = 24;

    public static ReadOnlySpan<byte> Client => "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"u8;

    /// <summary>
    /// Whether <paramref name="buffer"/> starts with the preface: <see cref="PrefaceMatch.Incomplete"/> while the
    /// bytes so far agree with it but are fewer than 24.
    /// </summary>
    public static PrefaceMatch Match(ReadOnlySpan<byte> buffer)
    {
        var n = Math.Min(buffer.Length, Length);
        if (!buffer[..n].SequenceEqual(Client[..n])) return PrefaceMatch.Mismatch;
        return n == Length ? PrefaceMatch.Matched : PrefaceMatch.Incomplete;
    }
}

internal enum PrefaceMatch
{
    Incomplete,
    Matched,
    Mismatch,
}
