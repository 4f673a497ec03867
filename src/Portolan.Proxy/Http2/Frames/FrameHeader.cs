using System.Buffers.Binary;

namespace Portolan.Proxy.Http2.Frames;

/// <summary>
/// The 9-byte header every frame starts with (RFC 9113 §4.1): a 24-bit payload length, the type, the flags and a
/// 31-bit stream id (the reserved high bit is ignored on receipt and never sent).
/// </summary>
internal readonly record struct FrameHeader(int Length, FrameType Type, FrameFlags Flags, int StreamId)
{
    public const int Size = 9;
    /// <summary>The largest payload the 24-bit length field can express (and the largest SETTINGS_MAX_FRAME_SIZE).</summary>
    public const int MaxLength = (1 << 24) - 1;

    public bool HasFlag(FrameFlags flag) => (Flags & flag) != 0;

    /// <summary>One of the types RFC 9113 defines; any other is an extension frame to be skipped (§5.5).</summary>
    public bool IsKnownType => Type <= FrameType.Continuation;

    /// <summary>Reads a header from the first <see cref="Size"/> bytes of <paramref name="source"/>.</summary>
    public static FrameHeader Read(ReadOnlySpan<byte> source)
    {
        var length = (source[0] << 16) | (source[1] << 8) | source[2];
        var streamId = (int)(BinaryPrimitives.ReadUInt32BigEndian(source[5..]) & 0x7FFF_FFFF);
        return new FrameHeader(length, (FrameType)source[3], (FrameFlags)source[4], streamId);
    }

    /// <summary>Writes this header into the first <see cref="Size"/> bytes of <paramref name="destination"/>.</summary>
    public void Write(Span<byte> destination)
    {
        _ = destination[Size - 1];
        destination[0] = (byte)(Length >> 16);
        destination[1] = (byte)(Length >> 8);
        destination[2] = (byte)Length;
        destination[3] = (byte)Type;
        destination[4] = (byte)Flags;
        BinaryPrimitives.WriteUInt32BigEndian(destination[5..], (uint)StreamId & 0x7FFF_FFFF);
    }
}
