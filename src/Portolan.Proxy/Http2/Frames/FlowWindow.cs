namespace Portolan.Proxy.Http2.Frames;

/// <summary>
/// A flow-control window (RFC 9113 §6.9): DATA payloads (padding included) use it up, WINDOW_UPDATE gives it back.
/// The same arithmetic serves both directions: a send window the peer's updates replenish, and a receive window
/// the peer must stay within. It never exceeds 2^31-1; a change of SETTINGS_INITIAL_WINDOW_SIZE can take it below
/// zero (§6.9.2), and then nothing may be sent until updates bring it back above.
/// </summary>
internal struct FlowWindow(int initialSize)
{
    public const int MaxSize = int.MaxValue;

    private int _size = initialSize;

    /// <summary>The window, possibly negative.</summary>
    public readonly int Size => _size;

    /// <summary>What may be sent now: the window, or 0 while it is negative.</summary>
    public readonly int Available => Math.Max(_size, 0);

    /// <summary>
    /// Uses up <paramref name="bytes"/>, or returns false and changes nothing when the window is smaller: for a send
    /// window, wait for an update; for a receive window, the peer overran it (FLOW_CONTROL_ERROR).
    /// </summary>
    public bool TryConsume(int bytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(bytes);
        if (bytes > _size) return false;
        _size -= bytes;
        return true;
    }

    /// <summary>
    /// Adds a WINDOW_UPDATE increment (1..2^31-1, validated by <see cref="FrameReader.TryGetWindowUpdate"/>).
    /// Returns false and changes nothing if the window would exceed 2^31-1: a FLOW_CONTROL_ERROR, on the
    /// connection for the connection window, on the stream for a stream's (§6.9.1).
    /// </summary>
    public bool Increase(int increment)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(increment);
        return TrySet((long)_size + increment);
    }

    /// <summary>
    /// Shifts a stream window by the change of SETTINGS_INITIAL_WINDOW_SIZE (new - old); the result may be
    /// negative. Returns false and changes nothing if it would exceed 2^31-1: a connection error of type
    /// FLOW_CONTROL_ERROR (§6.9.2).
    /// </summary>
    public bool ApplySettingsDelta(int delta) => TrySet((long)_size + delta);

    private bool TrySet(long size)
    {
        if (size is > MaxSize or < int.MinValue) return false;
        _size = (int)size;
        return true;
    }
}
