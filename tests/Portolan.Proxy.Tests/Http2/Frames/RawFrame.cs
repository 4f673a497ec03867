using Portolan.Proxy.Http2.Frames;

namespace Portolan.Proxy.Tests.Http2.Frames;

/// <summary>Frames built byte by byte from RFC 9113 §4.1, independently of FrameWriter, to feed the reader.</summary>
internal static class RawFrame
{
    public static byte[] Build(FrameType type, FrameFlags flags, uint streamId, params byte[] payload) =>
        Build((byte)type, (byte)flags, streamId, payload);

    public static byte[] Build(byte type, byte flags, uint streamId, byte[] payload)
    {
        var frame = new byte[9 + payload.Length];
        frame[0] = (byte)(payload.Length >> 16);
        frame[1] = (byte)(payload.Length >> 8);
        frame[2] = (byte)payload.Length;
        frame[3] = type;
        frame[4] = flags;
        frame[5] = (byte)(streamId >> 24);
        frame[6] = (byte)(streamId >> 16);
        frame[7] = (byte)(streamId >> 8);
        frame[8] = (byte)streamId;
        payload.CopyTo(frame, 9);
        return frame;
    }

    public static byte[] UInt32(uint value) => [(byte)(value >> 24), (byte)(value >> 16), (byte)(value >> 8), (byte)value];

    /// <summary>Reads <paramref name="frame"/>, which must be exactly one whole frame.</summary>
    public static (FrameHeader Header, byte[] Payload) Read(byte[] frame, uint maxFrameSize = Http2Settings.DefaultMaxFrameSize)
    {
        Assert.Equal(ReadStatus.Complete, FrameReader.TryRead(frame, maxFrameSize, out var header, out var payload, out var consumed));
        Assert.Equal(frame.Length, consumed);
        Assert.Equal(header.Length, payload.Length);
        return (header, payload.ToArray());
    }
}
