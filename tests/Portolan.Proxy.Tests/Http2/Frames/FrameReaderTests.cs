using Portolan.Proxy.Http2.Frames;

namespace Portolan.Proxy.Tests.Http2.Frames;

public sealed class FrameReaderTests
{
    [Fact]
    public void Reads_the_header_fields_and_ignores_the_reserved_bit()
    {
        var frame = RawFrame.Build(0x0, 0x1, 0x8000_0003, [1, 2, 3]);
        var (header, payload) = RawFrame.Read(frame);
        Assert.Equal(new FrameHeader(3, FrameType.Data, FrameFlags.EndStream, 3), header);
        Assert.Equal([1, 2, 3], payload);
    }

    [Fact]
    public void A_frame_arriving_one_byte_at_a_time_is_incomplete_until_whole()
    {
        var frame = RawFrame.Build(FrameType.Headers, FrameFlags.EndHeaders, 5, [0x82, 0x86, 0x84]);
        for (var n = 0; n < frame.Length; n++)
        {
            Assert.Equal(ReadStatus.Incomplete, FrameReader.TryRead(frame.AsSpan(0, n), 16_384, out var header, out var payload, out var consumed));
            Assert.Equal(0, consumed);
            Assert.True(payload.IsEmpty);
            // Once the 9 header bytes are in, the header says how much more to read.
            Assert.Equal(n >= 9 ? 3 : 0, header.Length);
        }
        Assert.Equal(ReadStatus.Complete, FrameReader.TryRead(frame, 16_384, out _, out _, out var all));
        Assert.Equal(frame.Length, all);
    }

    [Fact]
    public void Frames_back_to_back_are_cut_one_at_a_time()
    {
        byte[] buffer =
        [
            .. RawFrame.Build(FrameType.Settings, FrameFlags.None, 0),
            .. RawFrame.Build(FrameType.Ping, FrameFlags.None, 0, 1, 2, 3, 4, 5, 6, 7, 8),
            .. RawFrame.Build(FrameType.Data, FrameFlags.EndStream, 1, 9, 9),
            .. RawFrame.Build(FrameType.GoAway, FrameFlags.None, 0, 0, 0, 0)[..10], // a partial one at the end
        ];
        var rest = buffer.AsSpan();
        var types = new List<FrameType>();
        while (FrameReader.TryRead(rest, 16_384, out var header, out _, out var consumed) == ReadStatus.Complete)
        {
            types.Add(header.Type);
            rest = rest[consumed..];
        }
        Assert.Equal([FrameType.Settings, FrameType.Ping, FrameType.Data], types);
        Assert.Equal(10, rest.Length);
    }

    [Fact]
    public void A_frame_longer_than_the_max_frame_size_is_a_frame_size_error_as_soon_as_its_header_arrives()
    {
        var frame = RawFrame.Build(FrameType.Data, FrameFlags.None, 1, new byte[16_385]);
        Assert.Equal(ReadStatus.FrameSizeError, FrameReader.TryRead(frame.AsSpan(0, 9), 16_384, out var header, out _, out var consumed));
        Assert.Equal(16_385, header.Length);
        Assert.Equal(0, consumed);
        Assert.Equal(ReadStatus.Complete, FrameReader.TryRead(frame, 16_385, out _, out _, out _));
    }

    [Fact]
    public void The_largest_frame_the_length_field_allows_is_read_when_allowed()
    {
        var frame = RawFrame.Build(FrameType.Data, FrameFlags.None, 1, new byte[FrameHeader.MaxLength]);
        var (header, _) = RawFrame.Read(frame, Http2Settings.MaxMaxFrameSize);
        Assert.Equal(16_777_215, header.Length);
    }

    [Theory]
    [InlineData(0x0a)] // ALTSVC (RFC 7838)
    [InlineData(0x10)] // PRIORITY_UPDATE (RFC 9218)
    [InlineData(0xff)]
    public void Unknown_frame_types_are_cut_like_any_frame_and_marked_for_skipping(byte type)
    {
        byte[] buffer = [.. RawFrame.Build(type, 0xff, 0, [1, 2, 3, 4, 5]), .. RawFrame.Build(FrameType.Ping, FrameFlags.Ack, 0, new byte[8])];
        Assert.Equal(ReadStatus.Complete, FrameReader.TryRead(buffer, 16_384, out var unknown, out _, out var consumed));
        Assert.False(unknown.IsKnownType);
        Assert.Equal(14, consumed);
        Assert.Equal(ReadStatus.Complete, FrameReader.TryRead(buffer.AsSpan(consumed), 16_384, out var next, out _, out _));
        Assert.True(next.IsKnownType);
        Assert.Equal(FrameType.Ping, next.Type);
    }

    [Fact]
    public void Flags_a_type_does_not_define_are_ignored()
    {
        // 0xF6: every bit DATA does not define (END_HEADERS, PRIORITY and the unassigned ones); not PADDED or END_STREAM.
        var (header, payload) = RawFrame.Read(RawFrame.Build(0x0, 0xF6, 1, [7]));
        Assert.True(FrameReader.TryGetData(header, payload, out var data, out var error));
        Assert.Equal([7], data.ToArray());
        Assert.False(error.IsError);

        var (ping, pingPayload) = RawFrame.Read(RawFrame.Build(0x6, 0xFE, 0, new byte[8])); // all but ACK
        Assert.True(FrameReader.TryGetPing(ping, pingPayload, out _, out _));
        Assert.False(ping.HasFlag(FrameFlags.Ack));
    }

    [Fact]
    public void Unknown_error_codes_and_setting_ids_pass_through()
    {
        var (rst, rstPayload) = RawFrame.Read(RawFrame.Build(FrameType.RstStream, FrameFlags.None, 1, RawFrame.UInt32(0xdead)));
        Assert.True(FrameReader.TryGetRstStream(rst, rstPayload, out var code, out _));
        Assert.Equal((Http2ErrorCode)0xdead, code);

        var (settings, settingsPayload) = RawFrame.Read(RawFrame.Build(FrameType.Settings, FrameFlags.None, 0, 0x00, 0x99, 0xff, 0xff, 0xff, 0xff));
        Assert.True(FrameReader.TryGetSettings(settings, settingsPayload, out var pairs, out _));
        var all = new List<Setting>();
        foreach (var s in pairs) all.Add(s);
        Assert.Equal([new Setting((SettingId)0x99, uint.MaxValue)], all);
        var applied = Http2Settings.Default;
        applied.Apply(all[0]);
        Assert.Equal(Http2Settings.Default, applied);
    }
}
