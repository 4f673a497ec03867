namespace Portolan.Proxy.Http2.Frames;

/// <summary>
/// What a malformed frame obliges the receiver to do (RFC 9113 §5.4): a connection error ends the connection with
/// GOAWAY carrying <see cref="Code"/>; a stream error resets only the frame's stream with RST_STREAM. The default
/// value is "no error".
/// </summary>
internal readonly record struct FrameError(ErrorScope Scope, Http2ErrorCode Code)
{
    public bool IsError => Scope != ErrorScope.None;

    public static FrameError Connection(Http2ErrorCode code) => new(ErrorScope.Connection, code);

    public static FrameError Stream(Http2ErrorCode code) => new(ErrorScope.Stream, code);
}

/// <summary>Whether an error ends the connection or only a stream.</summary>
internal enum ErrorScope : byte
{
    None,
    Stream,
    Connection,
}
