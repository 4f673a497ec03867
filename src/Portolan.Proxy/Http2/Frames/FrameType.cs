namespace Portolan.Proxy.Http2.Frames;

/// <summary>The frame types of RFC 9113 §6. Any other value is an extension type a receiver ignores (§5.5).</summary>
internal enum FrameType : byte
{
    Data = 0x0,
    Headers = 0x1,
    Priority = 0x2,
    RstStream = 0x3,
    Settings = 0x4,
    PushPromise = 0x5,
    Ping = 0x6,
    GoAway = 0x7,
    WindowUpdate = 0x8,
    Continuation = 0x9,
}
