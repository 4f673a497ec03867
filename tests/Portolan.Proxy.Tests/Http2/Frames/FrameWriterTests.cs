using Portolan.Proxy.Http2.Frames;

namespace Portolan.Proxy.Tests.Http2.Frames;

/// <summary>Every frame type through FrameWriter, then FrameReader and its accessor; and the bytes checked against §6 by hand.</summary>
public sealed class FrameWriterTests
{
    private readonly byte[] _buffer = new byte[64 * 1024];

    [Fact]
    public void DATA_round_trips()
    {
        Assert.True(FrameWriter.TryWriteData(_buffer, 3, "hello"u8, endStream: true, out var written));
        Assert.Equal([0, 0, 5, 0, 1, 0, 0, 0, 3, .. "hello"u8], _buffer[..written]);
        var (header, payload) = RawFrame.Read(_buffer[..written]);
        Assert.Equal(new FrameHeader(5, FrameType.Data, FrameFlags.EndStream, 3), header);
        Assert.True(FrameReader.TryGetData(header, payload, out var data, out _));
        Assert.Equal("hello"u8.ToArray(), data.ToArray());

        Assert.True(FrameWriter.TryWriteData(_buffer, 3, default, endStream: false, out written));
        Assert.Equal(new FrameHeader(0, FrameType.Data, FrameFlags.None, 3), RawFrame.Read(_buffer[..written]).Header);
    }

    [Fact]
    public void HEADERS_and_CONTINUATION_round_trip()
    {
        Assert.True(FrameWriter.TryWriteHeaders(_buffer, 1, [0x82, 0x86], endHeaders: false, endStream: true, out var written));
        var (header, payload) = RawFrame.Read(_buffer[..written]);
        Assert.Equal(new FrameHeader(2, FrameType.Headers, FrameFlags.EndStream, 1), header);
        Assert.True(FrameReader.TryGetHeaders(header, payload, out var fragment, out _));
        Assert.Equal([0x82, 0x86], fragment.ToArray());

        Assert.True(FrameWriter.TryWriteContinuation(_buffer, 1, [0x84], endHeaders: true, out written));
        (header, payload) = RawFrame.Read(_buffer[..written]);
        Assert.Equal(new FrameHeader(1, FrameType.Continuation, FrameFlags.EndHeaders, 1), header);
        Assert.True(FrameReader.TryGetContinuation(header, payload, out fragment, out _));
        Assert.Equal([0x84], fragment.ToArray());

        Assert.True(FrameWriter.TryWriteHeaders(_buffer, 1, [0x88], endHeaders: true, endStream: false, out written));
        Assert.Equal(FrameFlags.EndHeaders, RawFrame.Read(_buffer[..written]).Header.Flags);
    }

    [Fact]
    public void SETTINGS_and_its_ACK_round_trip()
    {
        Setting[] sent =
        [
            new(SettingId.HeaderTableSize, 0), new(SettingId.EnablePush, 0), new(SettingId.MaxConcurrentStreams, 100),
            new(SettingId.InitialWindowSize, int.MaxValue), new(SettingId.MaxFrameSize, 16_777_215), new(SettingId.MaxHeaderListSize, 65_536),
        ];
        Assert.True(FrameWriter.TryWriteSettings(_buffer, sent, out var written));
        Assert.Equal(9 + 36, written);
        Assert.Equal([0, 0, 36, 4, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0], _buffer[..15]);
        var (header, payload) = RawFrame.Read(_buffer[..written]);
        Assert.True(FrameReader.TryGetSettings(header, payload, out var settings, out _));
        Assert.Equal(6, settings.Count);
        var received = new List<Setting>();
        var applied = Http2Settings.Default;
        foreach (var setting in settings)
        {
            received.Add(setting);
            applied.Apply(setting);
        }
        Assert.Equal(sent, received);
        Assert.Equal(new Http2Settings
        {
            HeaderTableSize = 0, EnablePush = false, MaxConcurrentStreams = 100, InitialWindowSize = int.MaxValue,
            MaxFrameSize = 16_777_215, MaxHeaderListSize = 65_536,
        }, applied);

        Assert.True(FrameWriter.TryWriteSettingsAck(_buffer, out written));
        (header, payload) = RawFrame.Read(_buffer[..written]);
        Assert.Equal(new FrameHeader(0, FrameType.Settings, FrameFlags.Ack, 0), header);
        Assert.True(FrameReader.TryGetSettings(header, payload, out settings, out _));
        Assert.Equal(0, settings.Count);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void PING_and_its_ACK_round_trip(bool ack)
    {
        Assert.True(FrameWriter.TryWritePing(_buffer, 0x0102_0304_0506_0708, ack, out var written));
        Assert.Equal([0, 0, 8, 6, (byte)(ack ? 1 : 0), 0, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8], _buffer[..written]);
        var (header, payload) = RawFrame.Read(_buffer[..written]);
        Assert.Equal(ack, header.HasFlag(FrameFlags.Ack));
        Assert.True(FrameReader.TryGetPing(header, payload, out var opaque, out _));
        Assert.Equal(0x0102_0304_0506_0708UL, opaque);
    }

    [Theory]
    [InlineData(0, 1)]
    [InlineData(7, int.MaxValue)]
    public void WINDOW_UPDATE_round_trips(int streamId, int increment)
    {
        Assert.True(FrameWriter.TryWriteWindowUpdate(_buffer, streamId, increment, out var written));
        var (header, payload) = RawFrame.Read(_buffer[..written]);
        Assert.Equal(new FrameHeader(4, FrameType.WindowUpdate, FrameFlags.None, streamId), header);
        Assert.True(FrameReader.TryGetWindowUpdate(header, payload, out var received, out _));
        Assert.Equal(increment, received);
    }

    [Fact]
    public void RST_STREAM_round_trips()
    {
        Assert.True(FrameWriter.TryWriteRstStream(_buffer, int.MaxValue, Http2ErrorCode.Http11Required, out var written));
        Assert.Equal([0, 0, 4, 3, 0, 0x7f, 0xff, 0xff, 0xff, 0, 0, 0, 0xd], _buffer[..written]);
        var (header, payload) = RawFrame.Read(_buffer[..written]);
        Assert.True(FrameReader.TryGetRstStream(header, payload, out var code, out _));
        Assert.Equal(Http2ErrorCode.Http11Required, code);
    }

    [Fact]
    public void GOAWAY_round_trips()
    {
        Assert.True(FrameWriter.TryWriteGoAway(_buffer, 41, Http2ErrorCode.EnhanceYourCalm, "too many resets"u8, out var written));
        var (header, payload) = RawFrame.Read(_buffer[..written]);
        Assert.Equal(new FrameHeader(8 + 15, FrameType.GoAway, FrameFlags.None, 0), header);
        Assert.True(FrameReader.TryGetGoAway(header, payload, out var last, out var code, out var debug, out _));
        Assert.Equal(41, last);
        Assert.Equal(Http2ErrorCode.EnhanceYourCalm, code);
        Assert.Equal("too many resets"u8.ToArray(), debug.ToArray());

        Assert.True(FrameWriter.TryWriteGoAway(_buffer, 0, Http2ErrorCode.NoError, default, out written));
        Assert.Equal(17, written);
    }

    [Fact]
    public void A_header_alone_is_written_for_a_payload_placed_after_it()
    {
        var header = new FrameHeader(16_384, FrameType.Data, FrameFlags.EndStream, 9);
        Assert.True(FrameWriter.TryWriteHeader(_buffer, header));
        Assert.Equal(header, FrameHeader.Read(_buffer));
        Assert.False(FrameWriter.TryWriteHeader(new byte[8], header));
    }

    [Fact]
    public void Every_writer_refuses_a_span_one_byte_too_small()
    {
        var small = new byte[64];
        Assert.False(FrameWriter.TryWriteData(small.AsSpan(0, 9 + 4), 1, "hello"u8, false, out var n) || n != 0);
        Assert.False(FrameWriter.TryWriteHeaders(small.AsSpan(0, 9), 1, [1], true, false, out n) || n != 0);
        Assert.False(FrameWriter.TryWriteContinuation(small.AsSpan(0, 9), 1, [1], true, out n) || n != 0);
        Assert.False(FrameWriter.TryWriteSettings(small.AsSpan(0, 14), [new Setting(SettingId.EnablePush, 0)], out n) || n != 0);
        Assert.False(FrameWriter.TryWriteSettingsAck(small.AsSpan(0, 8), out n) || n != 0);
        Assert.False(FrameWriter.TryWritePing(small.AsSpan(0, 16), 1, false, out n) || n != 0);
        Assert.False(FrameWriter.TryWriteWindowUpdate(small.AsSpan(0, 12), 0, 1, out n) || n != 0);
        Assert.False(FrameWriter.TryWriteRstStream(small.AsSpan(0, 12), 1, Http2ErrorCode.Cancel, out n) || n != 0);
        Assert.False(FrameWriter.TryWriteGoAway(small.AsSpan(0, 17 + 1), 0, Http2ErrorCode.NoError, "xy"u8, out n) || n != 0);
        Assert.False(FrameWriter.TryWriteFieldBlock(small.AsSpan(0, 9), 1, [1], 16_384, false, out n) || n != 0);
    }

    [Fact]
    public void Values_only_this_side_chooses_are_checked()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => FrameWriter.TryWriteData(_buffer, 0, default, true, out _));
        Assert.Throws<ArgumentOutOfRangeException>(() => FrameWriter.TryWriteHeaders(_buffer, 0, default, true, true, out _));
        Assert.Throws<ArgumentOutOfRangeException>(() => FrameWriter.TryWriteRstStream(_buffer, 0, Http2ErrorCode.Cancel, out _));
        Assert.Throws<ArgumentOutOfRangeException>(() => FrameWriter.TryWriteWindowUpdate(_buffer, 1, 0, out _));
        Assert.Throws<ArgumentOutOfRangeException>(() => FrameWriter.TryWriteFieldBlock(_buffer, 1, default, 16_383, false, out _));
        Assert.Throws<ArgumentOutOfRangeException>(() => FrameWriter.TryWriteData(new byte[1 << 25], 1, new byte[1 << 24], true, out _));
    }
}
