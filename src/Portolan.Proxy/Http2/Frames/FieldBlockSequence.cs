namespace Portolan.Proxy.Http2.Frames;

/// <summary>
/// Keeps a connection's field blocks contiguous (RFC 9113 §4.3, §6.10): a HEADERS or PUSH_PROMISE without
/// END_HEADERS must be followed by CONTINUATION frames on the same stream and nothing else, up to one with
/// END_HEADERS; a CONTINUATION anywhere else is a PROTOCOL_ERROR. Also caps a block's total size, since a proxy
/// holds the whole block before it can route (the CONTINUATION flood): past the cap, ENHANCE_YOUR_CALM.
/// Call <see cref="Observe"/> for every frame received, unknown types included, before acting on it.
/// </summary>
internal struct FieldBlockSequence(int maxBlockSize)
{
    private readonly int _maxBlockSize = maxBlockSize;
    private int _streamId; // the stream whose block is open, or 0
    private int _blockSize;

    /// <summary>A block is open: only its CONTINUATION frames may come next.</summary>
    public readonly bool InBlock => _streamId != 0;

    public FrameError Observe(in FrameHeader header)
    {
        if (_streamId != 0)
        {
            if (header.Type != FrameType.Continuation || header.StreamId != _streamId)
                return FrameError.Connection(Http2ErrorCode.ProtocolError);
            return Add(header);
        }
        if (header.Type == FrameType.Continuation) return FrameError.Connection(Http2ErrorCode.ProtocolError);
        if (header.Type is not (FrameType.Headers or FrameType.PushPromise) || header.StreamId == 0) return default;
        _streamId = header.StreamId;
        _blockSize = 0;
        return Add(header);
    }

    private FrameError Add(in FrameHeader header)
    {
        // The frame's length, padding and priority fields included: an upper bound on the fragment, known up front.
        if (header.Length > _maxBlockSize - _blockSize) return FrameError.Connection(Http2ErrorCode.EnhanceYourCalm);
        _blockSize += header.Length;
        if (header.HasFlag(FrameFlags.EndHeaders)) _streamId = 0;
        return default;
    }
}
