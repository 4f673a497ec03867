namespace Portolan.Proxy.Http2.Frames;

/// <summary>Outcome of <see cref="FrameReader.TryRead"/>.</summary>
internal enum ReadStatus
{
    /// <summary>The frame has not fully arrived (the header is set once its 9 bytes have): read more.</summary>
    Incomplete,
    /// <summary>A whole frame: header, payload and the bytes it took are set.</summary>
    Complete,
    /// <summary>The header announces more than the allowed frame size: a connection error of type FRAME_SIZE_ERROR (§4.2).</summary>
    FrameSizeError,
}
