using System.Buffers.Binary;
using System.Diagnostics;

namespace Portolan.Proxy.Http2.Frames;

/// <summary>
/// Reads frames out of buffered bytes (RFC 9113 §4, §6) without copying: <see cref="TryRead"/> cuts one frame, then
/// the accessor for its type validates the payload and returns its parts as spans into it. Each accessor returns
/// false with the error §6 prescribes, scoped to the connection or the stream. Stream states (a frame on an idle or
/// closed stream) and field-block contiguity (<see cref="FieldBlockSequence"/>) are the caller's; flags a type does
/// not define are ignored; frames of unknown type (<see cref="FrameHeader.IsKnownType"/>) are to be skipped (§5.5).
/// Every accessor expects the header and the payload <see cref="TryRead"/> returned for a frame of its type.
/// </summary>
internal static class FrameReader
{
    private const int PriorityFieldsSize = 5; // exclusive bit + stream dependency, weight

    /// <summary>
    /// Cuts the first frame out of <paramref name="buffer"/>. <see cref="ReadStatus.Complete"/> sets the header, the
    /// payload and <paramref name="consumed"/> (9 + length). The header is also set for <see cref="ReadStatus.FrameSizeError"/>
    /// (length over <paramref name="maxFrameSize"/>, the SETTINGS_MAX_FRAME_SIZE this side advertised) and for an
    /// incomplete frame whose header has arrived.
    /// </summary>
    public static ReadStatus TryRead(
        ReadOnlySpan<byte> buffer, uint maxFrameSize, out FrameHeader header, out ReadOnlySpan<byte> payload, out int consumed)
    {
        payload = default;
        consumed = 0;
        if (buffer.Length < FrameHeader.Size)
        {
            header = default;
            return ReadStatus.Incomplete;
        }
        header = FrameHeader.Read(buffer);
        if ((uint)header.Length > maxFrameSize) return ReadStatus.FrameSizeError;
        var size = FrameHeader.Size + header.Length;
        if (buffer.Length < size) return ReadStatus.Incomplete;
        payload = buffer.Slice(FrameHeader.Size, header.Length);
        consumed = size;
        return ReadStatus.Complete;
    }

    /// <summary>
    /// DATA (§6.1): the data without padding. Flow control counts the whole payload (<see cref="FrameHeader.Length"/>),
    /// padding included (§6.9.1). Every error here ends the connection (stream 0, padding that does not fit).
    /// </summary>
    public static bool TryGetData(scoped in FrameHeader header, ReadOnlySpan<byte> payload, out ReadOnlySpan<byte> data, out FrameError error)
    {
        Debug.Assert(header.Type == FrameType.Data && payload.Length == header.Length);
        if (header.StreamId == 0) return Fail(out data, out error, FrameError.Connection(Http2ErrorCode.ProtocolError));
        return TryStripPadding(header, payload, 0, out data, out error);
    }

    /// <summary>
    /// HEADERS (§6.2): the field block fragment without padding and priority fields (§5.3.2 deprecates priority; it
    /// is skipped). A stream that depends on itself is a stream error (§5.3.1); <paramref name="fragment"/> is still
    /// set then, because the field block must be decoded anyway to keep the HPACK state in step (§4.3).
    /// </summary>
    public static bool TryGetHeaders(scoped in FrameHeader header, ReadOnlySpan<byte> payload, out ReadOnlySpan<byte> fragment, out FrameError error)
    {
        Debug.Assert(header.Type == FrameType.Headers && payload.Length == header.Length);
        if (header.StreamId == 0) return Fail(out fragment, out error, FrameError.Connection(Http2ErrorCode.ProtocolError));
        if (!header.HasFlag(FrameFlags.Priority)) return TryStripPadding(header, payload, 0, out fragment, out error);

        if (!TryStripPadding(header, payload, PriorityFieldsSize, out var content, out error))
        {
            fragment = default;
            return false;
        }
        fragment = content[PriorityFieldsSize..];
        if (DependsOnItself(header, content)) return Fail(out error, FrameError.Stream(Http2ErrorCode.ProtocolError));
        return true;
    }

    /// <summary>CONTINUATION (§6.10): the fragment is the whole payload.</summary>
    public static bool TryGetContinuation(scoped in FrameHeader header, ReadOnlySpan<byte> payload, out ReadOnlySpan<byte> fragment, out FrameError error)
    {
        Debug.Assert(header.Type == FrameType.Continuation && payload.Length == header.Length);
        if (header.StreamId == 0) return Fail(out fragment, out error, FrameError.Connection(Http2ErrorCode.ProtocolError));
        fragment = payload;
        error = default;
        return true;
    }

    /// <summary>
    /// PUSH_PROMISE (§6.6): the promised stream id and the fragment without padding. Receiving one at all is a
    /// PROTOCOL_ERROR for a server, and for a client that sent ENABLE_PUSH 0 (§8.4): the caller's to check.
    /// </summary>
    public static bool TryGetPushPromise(
        scoped in FrameHeader header, ReadOnlySpan<byte> payload, out int promisedStreamId, out ReadOnlySpan<byte> fragment, out FrameError error)
    {
        Debug.Assert(header.Type == FrameType.PushPromise && payload.Length == header.Length);
        promisedStreamId = 0;
        if (header.StreamId == 0) return Fail(out fragment, out error, FrameError.Connection(Http2ErrorCode.ProtocolError));
        if (!TryStripPadding(header, payload, sizeof(uint), out var content, out error))
        {
            fragment = default;
            return false;
        }
        promisedStreamId = ReadStreamId(content);
        fragment = content[sizeof(uint)..];
        return true;
    }

    /// <summary>PRIORITY (§6.3): validated and otherwise ignored (RFC 9113 deprecates the priority scheme).</summary>
    public static bool TryGetPriority(scoped in FrameHeader header, ReadOnlySpan<byte> payload, out FrameError error)
    {
        Debug.Assert(header.Type == FrameType.Priority && payload.Length == header.Length);
        if (header.StreamId == 0) return Fail(out error, FrameError.Connection(Http2ErrorCode.ProtocolError));
        if (payload.Length != PriorityFieldsSize) return Fail(out error, FrameError.Stream(Http2ErrorCode.FrameSizeError));
        if (DependsOnItself(header, payload)) return Fail(out error, FrameError.Stream(Http2ErrorCode.ProtocolError));
        error = default;
        return true;
    }

    /// <summary>RST_STREAM (§6.4): the error code, unknown codes kept as they came (§7).</summary>
    public static bool TryGetRstStream(scoped in FrameHeader header, ReadOnlySpan<byte> payload, out Http2ErrorCode code, out FrameError error)
    {
        Debug.Assert(header.Type == FrameType.RstStream && payload.Length == header.Length);
        code = default;
        if (header.StreamId == 0) return Fail(out error, FrameError.Connection(Http2ErrorCode.ProtocolError));
        if (payload.Length != sizeof(uint)) return Fail(out error, FrameError.Connection(Http2ErrorCode.FrameSizeError));
        code = (Http2ErrorCode)BinaryPrimitives.ReadUInt32BigEndian(payload);
        error = default;
        return true;
    }

    /// <summary>
    /// SETTINGS (§6.5): the pairs, every known value validated up front (ENABLE_PUSH 0 or 1, INITIAL_WINDOW_SIZE up to
    /// 2^31-1, MAX_FRAME_SIZE from 2^14 to 2^24-1); unknown identifiers pass through for the caller to ignore. An ACK
    /// (<see cref="FrameFlags.Ack"/>) has no pairs.
    /// </summary>
    public static bool TryGetSettings(scoped in FrameHeader header, ReadOnlySpan<byte> payload, out SettingsEnumerator settings, out FrameError error)
    {
        Debug.Assert(header.Type == FrameType.Settings && payload.Length == header.Length);
        settings = default;
        if (header.StreamId != 0) return Fail(out error, FrameError.Connection(Http2ErrorCode.ProtocolError));
        if (header.HasFlag(FrameFlags.Ack) ? payload.Length != 0 : payload.Length % Setting.Size != 0)
            return Fail(out error, FrameError.Connection(Http2ErrorCode.FrameSizeError));
        for (var offset = 0; offset < payload.Length; offset += Setting.Size)
        {
            var setting = SettingsEnumerator.Read(payload[offset..]);
            var invalid = setting.Id switch
            {
                SettingId.EnablePush => setting.Value > 1 ? Http2ErrorCode.ProtocolError : Http2ErrorCode.NoError,
                SettingId.InitialWindowSize => setting.Value > Http2Settings.MaxInitialWindowSize ? Http2ErrorCode.FlowControlError : Http2ErrorCode.NoError,
                SettingId.MaxFrameSize => setting.Value is < Http2Settings.DefaultMaxFrameSize or > Http2Settings.MaxMaxFrameSize
                    ? Http2ErrorCode.ProtocolError : Http2ErrorCode.NoError,
                _ => Http2ErrorCode.NoError,
            };
            if (invalid != Http2ErrorCode.NoError) return Fail(out error, FrameError.Connection(invalid));
        }
        settings = new SettingsEnumerator(payload);
        error = default;
        return true;
    }

    /// <summary>PING (§6.7): the 8 opaque bytes, to be echoed in the ACK.</summary>
    public static bool TryGetPing(scoped in FrameHeader header, ReadOnlySpan<byte> payload, out ulong opaqueData, out FrameError error)
    {
        Debug.Assert(header.Type == FrameType.Ping && payload.Length == header.Length);
        opaqueData = 0;
        if (header.StreamId != 0) return Fail(out error, FrameError.Connection(Http2ErrorCode.ProtocolError));
        if (payload.Length != sizeof(ulong)) return Fail(out error, FrameError.Connection(Http2ErrorCode.FrameSizeError));
        opaqueData = BinaryPrimitives.ReadUInt64BigEndian(payload);
        error = default;
        return true;
    }

    /// <summary>GOAWAY (§6.8): the last stream id the sender may have processed, the error code and the debug data.</summary>
    public static bool TryGetGoAway(
        scoped in FrameHeader header, ReadOnlySpan<byte> payload, out int lastStreamId, out Http2ErrorCode code, out ReadOnlySpan<byte> debugData,
        out FrameError error)
    {
        Debug.Assert(header.Type == FrameType.GoAway && payload.Length == header.Length);
        lastStreamId = 0;
        code = default;
        debugData = default;
        if (header.StreamId != 0) return Fail(out error, FrameError.Connection(Http2ErrorCode.ProtocolError));
        if (payload.Length < 8) return Fail(out error, FrameError.Connection(Http2ErrorCode.FrameSizeError));
        lastStreamId = ReadStreamId(payload);
        code = (Http2ErrorCode)BinaryPrimitives.ReadUInt32BigEndian(payload[4..]);
        debugData = payload[8..];
        error = default;
        return true;
    }

    /// <summary>
    /// WINDOW_UPDATE (§6.9): the increment (1..2^31-1). An increment of 0 is a stream error on a stream and a
    /// connection error on stream 0; a wrong length is always a connection error.
    /// </summary>
    public static bool TryGetWindowUpdate(scoped in FrameHeader header, ReadOnlySpan<byte> payload, out int increment, out FrameError error)
    {
        Debug.Assert(header.Type == FrameType.WindowUpdate && payload.Length == header.Length);
        increment = 0;
        if (payload.Length != sizeof(uint)) return Fail(out error, FrameError.Connection(Http2ErrorCode.FrameSizeError));
        increment = ReadStreamId(payload); // 31 bits after a reserved one, like a stream id
        if (increment == 0)
        {
            return Fail(out error, header.StreamId == 0
                ? FrameError.Connection(Http2ErrorCode.ProtocolError)
                : FrameError.Stream(Http2ErrorCode.ProtocolError));
        }
        error = default;
        return true;
    }

    /// <summary>
    /// The payload less the Pad Length field and the padding when PADDED is set, keeping the first
    /// <paramref name="fixedFields"/> bytes after Pad Length (priority fields, a promised stream id). A frame too short
    /// for those fields is a FRAME_SIZE_ERROR (§4.2); padding longer than what remains, a PROTOCOL_ERROR (§6.1, §6.2).
    /// Both end the connection: DATA's are allowed to, and the others carry a field block.
    /// </summary>
    private static bool TryStripPadding(scoped in FrameHeader header, ReadOnlySpan<byte> payload, int fixedFields, out ReadOnlySpan<byte> content, out FrameError error)
    {
        var padded = header.HasFlag(FrameFlags.Padded);
        var mandatory = (padded ? 1 : 0) + fixedFields;
        if (payload.Length < mandatory) return Fail(out content, out error, FrameError.Connection(Http2ErrorCode.FrameSizeError));
        if (!padded)
        {
            content = payload;
            error = default;
            return true;
        }
        var padLength = payload[0];
        if (padLength > payload.Length - mandatory) return Fail(out content, out error, FrameError.Connection(Http2ErrorCode.ProtocolError));
        content = payload[1..^padLength];
        error = default;
        return true;
    }

    private static bool DependsOnItself(scoped in FrameHeader header, ReadOnlySpan<byte> priorityFields) =>
        ReadStreamId(priorityFields) == header.StreamId;

    private static int ReadStreamId(ReadOnlySpan<byte> source) => (int)(BinaryPrimitives.ReadUInt32BigEndian(source) & 0x7FFF_FFFF);

    private static bool Fail(out FrameError error, FrameError value)
    {
        error = value;
        return false;
    }

    private static bool Fail(out ReadOnlySpan<byte> part, out FrameError error, FrameError value)
    {
        part = default;
        return Fail(out error, value);
    }
}
