namespace Portolan.Proxy.Http1.Parsing;

/// <summary>One header field line as offsets into the parsed buffer; the value is trimmed of SP/HTAB on both ends.</summary>
internal struct HeaderRange
{
    public int NameStart, NameLength, ValueStart, ValueLength;

    public readonly ReadOnlySpan<byte> Name(ReadOnlySpan<byte> buffer) => buffer.Slice(NameStart, NameLength);

    public readonly ReadOnlySpan<byte> Value(ReadOnlySpan<byte> buffer) => buffer.Slice(ValueStart, ValueLength);
}
