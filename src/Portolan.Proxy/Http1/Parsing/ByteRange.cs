namespace Portolan.Proxy.Http1.Parsing;

/// <summary>A slice of the buffer a head was parsed from, kept as offsets so the parser holds no reference to it.</summary>
internal readonly record struct ByteRange(int Start, int Length)
{
    public int End => Start + Length;

    public bool IsEmpty => Length == 0;

    public ReadOnlySpan<byte> Of(ReadOnlySpan<byte> buffer) => buffer.Slice(Start, Length);
}
