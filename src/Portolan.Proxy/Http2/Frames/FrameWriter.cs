using System.Buffers.Binary;

namespace Portolan.Proxy.Http2.Frames;

/// <summary>
/// Writes frames (RFC 9113 §6) into a caller's buffer. Each method returns false, having written nothing that
/// matters, when the span is too small, and otherwise the bytes written. Values only this side's own code chooses
/// (stream ids, increments, payload sizes) are checked with exceptions: a wrong one is a bug here, not peer input.
/// Payloads are written as given: keeping DATA within the peer's SETTINGS_MAX_FRAME_SIZE is the caller's part.
/// </summary>
internal static class FrameWriter
{
    /// <summary>Just a header, for a payload the caller places after it itself (e.g. DATA copied straight from a socket read).</summary>
    public static bool TryWriteHeader(Span<byte> destination, in FrameHeader header)
    {
        if (destination.Length < FrameHeader.Size) return false;
        header.Write(destination);
        return true;
    }

    public static bool TryWriteData(Span<byte> destination, int streamId, ReadOnlySpan<byte> data, bool endStream, out int written)
    {
        RequireStream(streamId);
        var flags = endStream ? FrameFlags.EndStream : FrameFlags.None;
        return TryWrite(destination, new FrameHeader(PayloadLength(data.Length), FrameType.Data, flags, streamId), data, out written);
    }

    /// <summary>One HEADERS frame carrying <paramref name="fragment"/>; without END_HEADERS, CONTINUATION frames must follow.</summary>
    public static bool TryWriteHeaders(
        Span<byte> destination, int streamId, ReadOnlySpan<byte> fragment, bool endHeaders, bool endStream, out int written)
    {
        RequireStream(streamId);
        var flags = (endHeaders ? FrameFlags.EndHeaders : FrameFlags.None) | (endStream ? FrameFlags.EndStream : FrameFlags.None);
        return TryWrite(destination, new FrameHeader(PayloadLength(fragment.Length), FrameType.Headers, flags, streamId), fragment, out written);
    }

    public static bool TryWriteContinuation(Span<byte> destination, int streamId, ReadOnlySpan<byte> fragment, bool endHeaders, out int written)
    {
        RequireStream(streamId);
        var flags = endHeaders ? FrameFlags.EndHeaders : FrameFlags.None;
        return TryWrite(destination, new FrameHeader(PayloadLength(fragment.Length), FrameType.Continuation, flags, streamId), fragment, out written);
    }

    /// <summary>The bytes <see cref="TryWriteFieldBlock"/> needs for a block of <paramref name="blockLength"/> bytes.</summary>
    public static int FieldBlockSize(int blockLength, int maxFrameSize)
    {
        RequireFrameSize(maxFrameSize);
        var frames = Math.Max(1, (blockLength + maxFrameSize - 1) / maxFrameSize);
        return blockLength + frames * FrameHeader.Size;
    }

    /// <summary>
    /// A whole field block as one HEADERS frame followed by as many CONTINUATION frames as frames of at most
    /// <paramref name="maxFrameSize"/> (the peer's SETTINGS_MAX_FRAME_SIZE) need: END_STREAM on the HEADERS frame,
    /// END_HEADERS on the last one (§4.3). The frames are contiguous, as §4.3 requires on the connection.
    /// </summary>
    public static bool TryWriteFieldBlock(
        Span<byte> destination, int streamId, ReadOnlySpan<byte> block, int maxFrameSize, bool endStream, out int written)
    {
        RequireStream(streamId);
        written = 0;
        if (destination.Length < FieldBlockSize(block.Length, maxFrameSize)) return false;
        var first = Math.Min(block.Length, maxFrameSize);
        TryWriteHeaders(destination, streamId, block[..first], first == block.Length, endStream, out written);
        for (var offset = first; offset < block.Length; offset += maxFrameSize)
        {
            var length = Math.Min(block.Length - offset, maxFrameSize);
            TryWriteContinuation(destination[written..], streamId, block.Slice(offset, length), offset + length == block.Length, out var n);
            written += n;
        }
        return true;
    }

    /// <summary>SETTINGS with <paramref name="settings"/> in order (may be empty: the defaults are fine).</summary>
    public static bool TryWriteSettings(Span<byte> destination, ReadOnlySpan<Setting> settings, out int written)
    {
        written = FrameHeader.Size + settings.Length * Setting.Size;
        if (destination.Length < written)
        {
            written = 0;
            return false;
        }
        new FrameHeader(settings.Length * Setting.Size, FrameType.Settings, FrameFlags.None, 0).Write(destination);
        var pair = destination[FrameHeader.Size..];
        foreach (var setting in settings)
        {
            BinaryPrimitives.WriteUInt16BigEndian(pair, (ushort)setting.Id);
            BinaryPrimitives.WriteUInt32BigEndian(pair[2..], setting.Value);
            pair = pair[Setting.Size..];
        }
        return true;
    }

    public static bool TryWriteSettingsAck(Span<byte> destination, out int written) =>
        TryWrite(destination, new FrameHeader(0, FrameType.Settings, FrameFlags.Ack, 0), default, out written);

    /// <summary>PING, or with <paramref name="ack"/> its answer echoing the same opaque data.</summary>
    public static bool TryWritePing(Span<byte> destination, ulong opaqueData, bool ack, out int written)
    {
        Span<byte> payload = stackalloc byte[sizeof(ulong)];
        BinaryPrimitives.WriteUInt64BigEndian(payload, opaqueData);
        var flags = ack ? FrameFlags.Ack : FrameFlags.None;
        return TryWrite(destination, new FrameHeader(sizeof(ulong), FrameType.Ping, flags, 0), payload, out written);
    }

    /// <summary>WINDOW_UPDATE for a stream, or for the connection with stream 0; the increment is 1..2^31-1.</summary>
    public static bool TryWriteWindowUpdate(Span<byte> destination, int streamId, int increment, out int written)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(streamId);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(increment);
        return TryWriteUInt32Frame(destination, new FrameHeader(sizeof(uint), FrameType.WindowUpdate, FrameFlags.None, streamId), (uint)increment, out written);
    }

    public static bool TryWriteRstStream(Span<byte> destination, int streamId, Http2ErrorCode code, out int written)
    {
        RequireStream(streamId);
        return TryWriteUInt32Frame(destination, new FrameHeader(sizeof(uint), FrameType.RstStream, FrameFlags.None, streamId), (uint)code, out written);
    }

    /// <summary>GOAWAY: the last peer-initiated stream this side processed or may process, why, and optional debug data.</summary>
    public static bool TryWriteGoAway(
        Span<byte> destination, int lastStreamId, Http2ErrorCode code, ReadOnlySpan<byte> debugData, out int written)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(lastStreamId);
        var length = PayloadLength(8 + debugData.Length);
        written = FrameHeader.Size + length;
        if (destination.Length < written)
        {
            written = 0;
            return false;
        }
        new FrameHeader(length, FrameType.GoAway, FrameFlags.None, 0).Write(destination);
        var payload = destination[FrameHeader.Size..];
        BinaryPrimitives.WriteUInt32BigEndian(payload, (uint)lastStreamId);
        BinaryPrimitives.WriteUInt32BigEndian(payload[4..], (uint)code);
        debugData.CopyTo(payload[8..]);
        return true;
    }

    private static bool TryWriteUInt32Frame(Span<byte> destination, in FrameHeader header, uint value, out int written)
    {
        Span<byte> payload = stackalloc byte[sizeof(uint)];
        BinaryPrimitives.WriteUInt32BigEndian(payload, value);
        return TryWrite(destination, header, payload, out written);
    }

    private static bool TryWrite(Span<byte> destination, in FrameHeader header, ReadOnlySpan<byte> payload, out int written)
    {
        written = FrameHeader.Size + payload.Length;
        if (destination.Length < written)
        {
            written = 0;
            return false;
        }
        header.Write(destination);
        payload.CopyTo(destination[FrameHeader.Size..]);
        return true;
    }

    private static int PayloadLength(int length)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(length, FrameHeader.MaxLength);
        return length;
    }

    private static void RequireStream(int streamId) => ArgumentOutOfRangeException.ThrowIfNegativeOrZero(streamId);

    private static void RequireFrameSize(int maxFrameSize)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxFrameSize, (int)Http2Settings.DefaultMaxFrameSize);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(maxFrameSize, FrameHeader.MaxLength);
    }
}
