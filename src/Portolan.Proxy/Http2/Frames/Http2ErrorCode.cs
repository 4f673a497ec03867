namespace Portolan.Proxy.Http2.Frames;

/// <summary>
/// The error codes of RFC 9113 §7, carried by RST_STREAM and GOAWAY. A received code outside this list keeps its
/// numeric value and must not trigger special behaviour (it may be treated as <see cref="InternalError"/>).
/// </summary>
internal enum Http2ErrorCode : uint
{
    NoError = 0x0,
    ProtocolError = 0x1,
    InternalError = 0x2,
    FlowControlError = 0x3,
    SettingsTimeout = 0x4,
    StreamClosed = 0x5,
    FrameSizeError = 0x6,
    RefusedStream = 0x7,
    Cancel = 0x8,
    CompressionError = 0x9,
    ConnectError = 0xa,
    EnhanceYourCalm = 0xb,
    InadequateSecurity = 0xc,
    Http11Required = 0xd,
}
