using System.Buffers;

namespace Portolan.Proxy.Http1;

/// <summary>
/// Bytes read but not yet used, or written but not yet sent: <c>Array[Start..End]</c>. Rented from the shared pool
/// only while it holds something, so an idle keep-alive connection costs no buffer. A mutable struct: keep it in a
/// field and call it in place.
/// </summary>
internal struct IoBuffer
{
    public const int DefaultSize = 16 * 1024;

    public byte[]? Array;
    public int Start;
    public int End;

    public readonly int Length => End - Start;
    public readonly bool IsEmpty => End == Start;
    public readonly int Capacity => Array?.Length ?? 0;
    public readonly int Free => Array is null ? 0 : Array.Length - End;
    public readonly Span<byte> Data => Array.AsSpan(Start, End - Start);
    public readonly Span<byte> FreeSpan => Array.AsSpan(End);

    public void Rent(int size = DefaultSize) => Array ??= ArrayPool<byte>.Shared.Rent(size);

    /// <summary>Makes room for at least <paramref name="size"/> more bytes (moving what is held to the front, then growing).</summary>
    public void Reserve(int size)
    {
        Rent(Math.Max(DefaultSize, size));
        if (Free >= size) return;
        if (Start > 0)
        {
            Data.CopyTo(Array);
            End -= Start;
            Start = 0;
            if (Free >= size) return;
        }
        var bigger = ArrayPool<byte>.Shared.Rent(End + size);
        Array.AsSpan(0, End).CopyTo(bigger);
        ArrayPool<byte>.Shared.Return(Array!);
        Array = bigger;
    }

    public void Append(scoped ReadOnlySpan<byte> bytes)
    {
        Reserve(bytes.Length);
        bytes.CopyTo(Array.AsSpan(End));
        End += bytes.Length;
    }

    public void Consume(int count)
    {
        Start += count;
        if (Start == End) Start = End = 0;
    }

    public void Clear() => Start = End = 0;

    /// <summary>Gives the array back when nothing is held.</summary>
    public void ReleaseIfEmpty()
    {
        if (Array is null || !IsEmpty) return;
        ArrayPool<byte>.Shared.Return(Array);
        Array = null;
        Start = End = 0;
    }

    public void Release()
    {
        if (Array is not null) ArrayPool<byte>.Shared.Return(Array);
        Array = null;
        Start = End = 0;
    }
}
