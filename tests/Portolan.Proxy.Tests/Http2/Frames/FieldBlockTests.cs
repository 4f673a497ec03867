using Portolan.Proxy.Http2.Frames;

namespace Portolan.Proxy.Tests.Http2.Frames;

public sealed class FieldBlockTests
{
    [Fact]
    public void A_40_KB_block_at_16_KB_frames_is_HEADERS_and_two_CONTINUATIONs_and_reassembles()
    {
        var block = new byte[40 * 1024];
        new Random(7).NextBytes(block);
        var buffer = new byte[FrameWriter.FieldBlockSize(block.Length, 16_384)];
        Assert.Equal(block.Length + 3 * 9, buffer.Length);

        Assert.True(FrameWriter.TryWriteFieldBlock(buffer, 5, block, 16_384, endStream: true, out var written));
        Assert.Equal(buffer.Length, written);

        var frames = new List<FrameHeader>();
        var reassembled = new List<byte>();
        var sequence = new FieldBlockSequence(64 * 1024);
        var rest = buffer.AsSpan();
        while (FrameReader.TryRead(rest, 16_384, out var header, out var payload, out var consumed) == ReadStatus.Complete)
        {
            Assert.False(sequence.Observe(header).IsError);
            frames.Add(header);
            ReadOnlySpan<byte> fragment;
            var ok = header.Type == FrameType.Headers
                ? FrameReader.TryGetHeaders(header, payload, out fragment, out _)
                : FrameReader.TryGetContinuation(header, payload, out fragment, out _);
            Assert.True(ok);
            reassembled.AddRange(fragment);
            rest = rest[consumed..];
        }
        Assert.True(rest.IsEmpty);
        Assert.False(sequence.InBlock);
        Assert.Equal(
        [
            new FrameHeader(16_384, FrameType.Headers, FrameFlags.EndStream, 5),
            new FrameHeader(16_384, FrameType.Continuation, FrameFlags.None, 5),
            new FrameHeader(40 * 1024 - 32_768, FrameType.Continuation, FrameFlags.EndHeaders, 5),
        ], frames);
        Assert.Equal(block, reassembled);
    }

    [Theory]
    [InlineData(0, 1)]
    [InlineData(1, 1)]
    [InlineData(16_384, 1)]
    [InlineData(16_385, 2)]
    [InlineData(32_768, 2)]
    public void Block_sizes_on_frame_boundaries(int length, int expectedFrames)
    {
        var block = new byte[length];
        var buffer = new byte[FrameWriter.FieldBlockSize(length, 16_384)];
        Assert.Equal(length + expectedFrames * 9, buffer.Length);
        Assert.True(FrameWriter.TryWriteFieldBlock(buffer, 1, block, 16_384, endStream: false, out var written));
        Assert.Equal(buffer.Length, written);
        var first = FrameHeader.Read(buffer);
        Assert.Equal(FrameType.Headers, first.Type);
        Assert.Equal(expectedFrames == 1, first.HasFlag(FrameFlags.EndHeaders));
        Assert.False(first.HasFlag(FrameFlags.EndStream));
    }

    [Fact]
    public void Only_CONTINUATION_on_the_same_stream_may_follow_an_open_block()
    {
        var headers = new FrameHeader(10, FrameType.Headers, FrameFlags.EndStream, 3);
        Assert.Equal(default, Observe(headers));
        Assert.Equal(FrameError.Connection(Http2ErrorCode.ProtocolError), Observe(headers, new FrameHeader(8, FrameType.Ping, FrameFlags.None, 0)));
        Assert.Equal(FrameError.Connection(Http2ErrorCode.ProtocolError), Observe(headers, new FrameHeader(1, FrameType.Data, FrameFlags.None, 3)));
        Assert.Equal(FrameError.Connection(Http2ErrorCode.ProtocolError), Observe(headers, new FrameHeader(1, FrameType.Continuation, FrameFlags.EndHeaders, 5)));
        Assert.Equal(FrameError.Connection(Http2ErrorCode.ProtocolError), Observe(headers, new FrameHeader(1, (FrameType)0x20, FrameFlags.None, 3)));
        Assert.Equal(default, Observe(headers, new FrameHeader(1, FrameType.Continuation, FrameFlags.EndHeaders, 3)));
        var promise = new FrameHeader(10, FrameType.PushPromise, FrameFlags.None, 2);
        Assert.Equal(FrameError.Connection(Http2ErrorCode.ProtocolError), Observe(promise, new FrameHeader(1, FrameType.Headers, FrameFlags.EndHeaders, 2)));
    }

    [Fact]
    public void CONTINUATION_outside_a_block_is_a_protocol_error()
    {
        Assert.Equal(FrameError.Connection(Http2ErrorCode.ProtocolError), Observe(new FrameHeader(1, FrameType.Continuation, FrameFlags.EndHeaders, 1)));
        Assert.Equal(FrameError.Connection(Http2ErrorCode.ProtocolError), Observe(
            new FrameHeader(1, FrameType.Headers, FrameFlags.EndHeaders, 1), new FrameHeader(1, FrameType.Continuation, FrameFlags.EndHeaders, 1)));
    }

    [Fact]
    public void A_block_over_the_cap_is_enhance_your_calm()
    {
        var sequence = new FieldBlockSequence(20_000);
        Assert.Equal(default, sequence.Observe(new FrameHeader(16_384, FrameType.Headers, FrameFlags.None, 1)));
        Assert.Equal(default, sequence.Observe(new FrameHeader(3_616, FrameType.Continuation, FrameFlags.None, 1))); // exactly 20 000
        Assert.Equal(FrameError.Connection(Http2ErrorCode.EnhanceYourCalm), sequence.Observe(new FrameHeader(1, FrameType.Continuation, FrameFlags.None, 1)));

        // A flood of empty CONTINUATION frames costs nothing but is still held to the same stream; the next block starts from 0.
        sequence = new FieldBlockSequence(20_000);
        Assert.Equal(default, sequence.Observe(new FrameHeader(20_000, FrameType.Headers, FrameFlags.EndHeaders, 1)));
        Assert.Equal(default, sequence.Observe(new FrameHeader(20_000, FrameType.Headers, FrameFlags.EndHeaders, 3)));
    }

    private static FrameError Observe(params FrameHeader[] headers)
    {
        var sequence = new FieldBlockSequence(1 << 20);
        FrameError error = default;
        foreach (var header in headers) error = sequence.Observe(header);
        return error;
    }
}
