namespace Portolan.Proxy.Http2.Frames;

/// <summary>
/// The flags RFC 9113 defines; what a bit means depends on the frame type (END_STREAM and ACK share 0x1). Flags a
/// type does not define are ignored on receipt and never sent (§4.1).
/// </summary>
[Flags]
#pragma warning disable CA1069 // END_STREAM (DATA, HEADERS) and ACK (SETTINGS, PING) are the same bit by design
internal enum FrameFlags : byte
{
    None = 0x0,
    EndStream = 0x1,
    Ack = 0x1,
    EndHeaders = 0x4,
    Padded = 0x8,
    Priority = 0x20,
}
#pragma warning restore CA1069
