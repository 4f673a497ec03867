using Portolan.Proxy.Http2.Frames;

namespace Portolan.Proxy.Tests.Http2.Frames;

/// <summary>Every §6 rule the accessors enforce, with the error code and whether it ends the connection or the stream.</summary>
public sealed class FrameValidationTests
{
    // Expected errors as "scope code" strings: the test methods are public and the frame types internal.
    private const string Conn = "Connection ";
    private const string Strm = "Stream ";
    private const string Protocol = nameof(Http2ErrorCode.ProtocolError);
    private const string FrameSize = nameof(Http2ErrorCode.FrameSizeError);
    private const string FlowControl = nameof(Http2ErrorCode.FlowControlError);

    public static TheoryData<string, byte[], string> Malformed => new()
    {
        { "DATA on stream 0", F(FrameType.Data, 0, 0, 1, 2), Conn + Protocol },
        { "DATA PADDED without a pad length", F(FrameType.Data, FrameFlags.Padded, 1), Conn + FrameSize },
        { "DATA pad length = payload length", F(FrameType.Data, FrameFlags.Padded, 1, 3, 0, 0), Conn + Protocol },
        { "DATA pad length > payload length", F(FrameType.Data, FrameFlags.Padded, 1, 200, 0, 0), Conn + Protocol },
        { "HEADERS on stream 0", F(FrameType.Headers, FrameFlags.EndHeaders, 0, 0x82), Conn + Protocol },
        { "HEADERS PADDED without a pad length", F(FrameType.Headers, FrameFlags.Padded, 1), Conn + FrameSize },
        { "HEADERS pad length = payload length", F(FrameType.Headers, FrameFlags.Padded, 1, 3, 0x82, 0), Conn + Protocol },
        { "HEADERS PRIORITY too short", F(FrameType.Headers, FrameFlags.Priority, 1, 0, 0, 0, 3), Conn + FrameSize },
        { "HEADERS PADDED|PRIORITY too short", F(FrameType.Headers, FrameFlags.Padded | FrameFlags.Priority, 1, 0, 0, 0, 0, 3), Conn + FrameSize },
        { "HEADERS padding eating the priority fields", F(FrameType.Headers, FrameFlags.Padded | FrameFlags.Priority, 1, 1, 0, 0, 0, 3, 16), Conn + Protocol },
        { "HEADERS depending on itself", F(FrameType.Headers, FrameFlags.Priority, 5, 0x80, 0, 0, 5, 16, 0x82), Strm + Protocol },
        { "CONTINUATION on stream 0", F(FrameType.Continuation, FrameFlags.EndHeaders, 0, 0x82), Conn + Protocol },
        { "PUSH_PROMISE on stream 0", F(FrameType.PushPromise, FrameFlags.EndHeaders, 0, 0, 0, 0, 2), Conn + Protocol },
        { "PUSH_PROMISE without a promised stream id", F(FrameType.PushPromise, FrameFlags.EndHeaders, 1, 0, 0, 2), Conn + FrameSize },
        { "PUSH_PROMISE padding eating the promised id", F(FrameType.PushPromise, FrameFlags.Padded, 1, 1, 0, 0, 0, 2), Conn + Protocol },
        { "PRIORITY on stream 0", F(FrameType.Priority, 0, 0, 0, 0, 0, 1, 16), Conn + Protocol },
        { "PRIORITY of 4 bytes", F(FrameType.Priority, 0, 3, 0, 0, 0, 1), Strm + FrameSize },
        { "PRIORITY of 6 bytes", F(FrameType.Priority, 0, 3, 0, 0, 0, 1, 16, 0), Strm + FrameSize },
        { "PRIORITY depending on itself", F(FrameType.Priority, 0, 3, 0, 0, 0, 3, 16), Strm + Protocol },
        { "RST_STREAM on stream 0", F(FrameType.RstStream, 0, 0, 0, 0, 0, 8), Conn + Protocol },
        { "RST_STREAM of 3 bytes", F(FrameType.RstStream, 0, 1, 0, 0, 8), Conn + FrameSize },
        { "RST_STREAM of 5 bytes", F(FrameType.RstStream, 0, 1, 0, 0, 0, 8, 0), Conn + FrameSize },
        { "SETTINGS on a stream", F(FrameType.Settings, 0, 1), Conn + Protocol },
        { "SETTINGS of 5 bytes", F(FrameType.Settings, 0, 0, 0, 4, 0, 0, 0), Conn + FrameSize },
        { "SETTINGS of 7 bytes", F(FrameType.Settings, 0, 0, 0, 4, 0, 0, 0, 1, 0), Conn + FrameSize },
        { "SETTINGS ACK with a payload", F(FrameType.Settings, FrameFlags.Ack, 0, 0, 4, 0, 0, 0, 1), Conn + FrameSize },
        { "ENABLE_PUSH 2", F(FrameType.Settings, 0, 0, 0, 2, 0, 0, 0, 2), Conn + Protocol },
        { "INITIAL_WINDOW_SIZE 2^31", F(FrameType.Settings, 0, 0, 0, 4, 0x80, 0, 0, 0), Conn + FlowControl },
        { "MAX_FRAME_SIZE 2^14-1", F(FrameType.Settings, 0, 0, 0, 5, 0, 0, 0x3f, 0xff), Conn + Protocol },
        { "MAX_FRAME_SIZE 2^24", F(FrameType.Settings, 0, 0, 0, 5, 0x01, 0, 0, 0), Conn + Protocol },
        { "a bad value after good ones", F(FrameType.Settings, 0, 0, 0, 1, 0, 0, 0, 0, 0, 2, 0, 0, 0, 7), Conn + Protocol },
        { "PING on a stream", F(FrameType.Ping, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0), Conn + Protocol },
        { "PING of 7 bytes", F(FrameType.Ping, 0, 0, 0, 0, 0, 0, 0, 0, 0), Conn + FrameSize },
        { "PING of 9 bytes", F(FrameType.Ping, FrameFlags.Ack, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0), Conn + FrameSize },
        { "GOAWAY on a stream", F(FrameType.GoAway, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0), Conn + Protocol },
        { "GOAWAY of 7 bytes", F(FrameType.GoAway, 0, 0, 0, 0, 0, 0, 0, 0, 0), Conn + FrameSize },
        { "WINDOW_UPDATE of 3 bytes", F(FrameType.WindowUpdate, 0, 1, 0, 0, 1), Conn + FrameSize },
        { "WINDOW_UPDATE of 5 bytes on stream 0", F(FrameType.WindowUpdate, 0, 0, 0, 0, 0, 1, 0), Conn + FrameSize },
        { "WINDOW_UPDATE of 0 on a stream", F(FrameType.WindowUpdate, 0, 1, 0, 0, 0, 0), Strm + Protocol },
        { "WINDOW_UPDATE of 0 on the connection", F(FrameType.WindowUpdate, 0, 0, 0, 0, 0, 0), Conn + Protocol },
        { "WINDOW_UPDATE of 0 with the reserved bit set", F(FrameType.WindowUpdate, 0, 1, 0x80, 0, 0, 0), Strm + Protocol },
    };

    [Theory]
    [MemberData(nameof(Malformed))]
    public void Rejects(string rule, byte[] frame, string expected)
    {
        var (header, payload) = RawFrame.Read(frame);
        var error = Validate(header, payload);
        Assert.True($"{error.Scope} {error.Code}" == expected, $"{rule}: got {error}");
    }

    public static TheoryData<string, byte[]> WellFormed => new()
    {
        { "empty DATA", F(FrameType.Data, FrameFlags.EndStream, 1) },
        { "DATA all padding", F(FrameType.Data, FrameFlags.Padded, 1, 2, 0, 0) },
        { "DATA pad length 0", F(FrameType.Data, FrameFlags.Padded, 1, 0) },
        { "HEADERS PADDED|PRIORITY with an empty fragment", F(FrameType.Headers, FrameFlags.Padded | FrameFlags.Priority, 1, 1, 0, 0, 0, 3, 16, 0) },
        { "HEADERS depending on stream 0", F(FrameType.Headers, FrameFlags.Priority, 1, 0, 0, 0, 0, 16) },
        { "empty SETTINGS", F(FrameType.Settings, 0, 0) },
        { "SETTINGS ACK", F(FrameType.Settings, FrameFlags.Ack, 0) },
        { "SETTINGS at the limits", F(FrameType.Settings, 0, 0, 0, 2, 0, 0, 0, 1, 0, 4, 0x7f, 0xff, 0xff, 0xff, 0, 5, 0, 0, 0x40, 0, 0, 5, 0, 0xff, 0xff, 0xff) },
        { "GOAWAY without debug data", F(FrameType.GoAway, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0) },
        { "WINDOW_UPDATE of 2^31-1", F(FrameType.WindowUpdate, 0, 0, 0x7f, 0xff, 0xff, 0xff) },
        { "PRIORITY", F(FrameType.Priority, 0, 3, 0x80, 0, 0, 1, 255) },
    };

    [Theory]
    [MemberData(nameof(WellFormed))]
    public void Accepts(string rule, byte[] frame)
    {
        var (header, payload) = RawFrame.Read(frame);
        Assert.True(Validate(header, payload) == default, $"{rule}: got {Validate(header, payload)}");
    }

    [Fact]
    public void Padding_is_stripped_from_DATA()
    {
        var (header, payload) = RawFrame.Read(F(FrameType.Data, FrameFlags.Padded | FrameFlags.EndStream, 1, 3, (byte)'h', (byte)'i', 0, 0, 0));
        Assert.True(FrameReader.TryGetData(header, payload, out var data, out _));
        Assert.Equal("hi"u8.ToArray(), data.ToArray());
        Assert.Equal(6, header.Length); // what flow control counts
    }

    [Fact]
    public void Padding_and_priority_fields_are_stripped_from_HEADERS()
    {
        var (header, payload) = RawFrame.Read(F(FrameType.Headers, FrameFlags.Padded | FrameFlags.Priority | FrameFlags.EndHeaders, 3,
            2, 0x80, 0, 0, 1, 200, 0x82, 0x86, 0x84, 0, 0));
        Assert.True(FrameReader.TryGetHeaders(header, payload, out var fragment, out _));
        Assert.Equal([0x82, 0x86, 0x84], fragment.ToArray());

        (header, payload) = RawFrame.Read(F(FrameType.Headers, FrameFlags.Priority, 3, 0, 0, 0, 1, 200, 0x82));
        Assert.True(FrameReader.TryGetHeaders(header, payload, out fragment, out _));
        Assert.Equal([0x82], fragment.ToArray());
    }

    [Fact]
    public void A_HEADERS_stream_error_still_hands_over_the_fragment_for_HPACK()
    {
        var (header, payload) = RawFrame.Read(F(FrameType.Headers, FrameFlags.Priority | FrameFlags.EndHeaders, 7, 0, 0, 0, 7, 16, 0x82, 0x84));
        Assert.False(FrameReader.TryGetHeaders(header, payload, out var fragment, out var error));
        Assert.Equal(FrameError.Stream(Http2ErrorCode.ProtocolError), error);
        Assert.Equal([0x82, 0x84], fragment.ToArray());
    }

    [Fact]
    public void Padding_is_stripped_from_PUSH_PROMISE()
    {
        var (header, payload) = RawFrame.Read(F(FrameType.PushPromise, FrameFlags.Padded | FrameFlags.EndHeaders, 1, 1, 0x80, 0, 0, 2, 0x82, 0));
        Assert.True(FrameReader.TryGetPushPromise(header, payload, out var promised, out var fragment, out _));
        Assert.Equal(2, promised);
        Assert.Equal([0x82], fragment.ToArray());
    }

    private static byte[] F(FrameType type, FrameFlags flags, uint streamId, params byte[] payload) => RawFrame.Build(type, flags, streamId, payload);

    private static FrameError Validate(FrameHeader header, ReadOnlySpan<byte> payload)
    {
        FrameError error;
        _ = header.Type switch
        {
            FrameType.Data => FrameReader.TryGetData(header, payload, out _, out error),
            FrameType.Headers => FrameReader.TryGetHeaders(header, payload, out _, out error),
            FrameType.Priority => FrameReader.TryGetPriority(header, payload, out error),
            FrameType.RstStream => FrameReader.TryGetRstStream(header, payload, out _, out error),
            FrameType.Settings => FrameReader.TryGetSettings(header, payload, out _, out error),
            FrameType.PushPromise => FrameReader.TryGetPushPromise(header, payload, out _, out _, out error),
            FrameType.Ping => FrameReader.TryGetPing(header, payload, out _, out error),
            FrameType.GoAway => FrameReader.TryGetGoAway(header, payload, out _, out _, out _, out error),
            FrameType.WindowUpdate => FrameReader.TryGetWindowUpdate(header, payload, out _, out error),
            FrameType.Continuation => FrameReader.TryGetContinuation(header, payload, out _, out error),
            _ => throw new ArgumentException(header.Type.ToString()),
        };
        return error;
    }
}
