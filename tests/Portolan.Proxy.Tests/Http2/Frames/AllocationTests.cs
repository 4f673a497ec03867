using Portolan.Proxy.Http2.Frames;

namespace Portolan.Proxy.Tests.Http2.Frames;

public sealed class AllocationTests
{
    [Fact]
    public void Writing_and_reading_DATA_and_HEADERS_allocates_nothing()
    {
        var buffer = new byte[64 * 1024];
        var body = new byte[16_384];
        var block = new byte[20_000];
        var sequence = new FieldBlockSequence(64 * 1024);
        var total = 0L;
        for (var i = 0; i < 100; i++) total += RoundTrip(buffer, body, block, ref sequence);

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1000; i++) total += RoundTrip(buffer, body, block, ref sequence);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(1100L * (16_384 + 20_000), total);
        Assert.Equal(0, allocated);
    }

    private static int RoundTrip(byte[] buffer, byte[] body, byte[] block, ref FieldBlockSequence sequence)
    {
        FrameWriter.TryWriteFieldBlock(buffer, 1, block, 16_384, endStream: false, out var written);
        FrameWriter.TryWriteData(buffer.AsSpan(written), 1, body, endStream: true, out var data);
        var rest = buffer.AsSpan(0, written + data);
        var bytes = 0;
        while (FrameReader.TryRead(rest, 16_384, out var header, out var payload, out var consumed) == ReadStatus.Complete)
        {
            if (sequence.Observe(header).IsError) return -1;
            ReadOnlySpan<byte> content;
            var ok = header.Type switch
            {
                FrameType.Headers => FrameReader.TryGetHeaders(header, payload, out content, out _),
                FrameType.Continuation => FrameReader.TryGetContinuation(header, payload, out content, out _),
                _ => FrameReader.TryGetData(header, payload, out content, out _),
            };
            if (!ok) return -1;
            bytes += content.Length;
            rest = rest[consumed..];
        }
        return bytes;
    }
}
