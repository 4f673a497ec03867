namespace Portolan.Proxy.Http2.Frames;

/// <summary>The settings RFC 9113 §6.5.2 defines. Other identifiers are ignored on receipt.</summary>
internal enum SettingId : ushort
{
    HeaderTableSize = 0x1,
    EnablePush = 0x2,
    MaxConcurrentStreams = 0x3,
    InitialWindowSize = 0x4,
    MaxFrameSize = 0x5,
    MaxHeaderListSize = 0x6,
}

/// <summary>One identifier/value pair of a SETTINGS frame (6 bytes on the wire).</summary>
internal readonly record struct Setting(SettingId Id, uint Value)
{
    public const int Size = 6;
}
