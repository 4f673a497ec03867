using System.Net.Sockets;
using System.Text;
using Portolan.Proxy.Http2.Frames;
using Portolan.Proxy.Tests.Support;

namespace Portolan.Proxy.Tests.Http2.Frames;

/// <summary>
/// The frame layer against a real HTTP/2 peer: Kestrel over h2c prior knowledge on loopback. Requests are written
/// with FrameWriter (their tiny field blocks hand-encoded from HPACK's static table), everything Kestrel answers is
/// cut by FrameReader and checked through the accessors, including its GOAWAY for a malformed frame.
/// </summary>
public sealed class KestrelExchangeTests : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30); // a hang guard, not a timing assertion

    private Backend _backend = null!;

    public async Task InitializeAsync() => _backend = await Backend.StartAsync("k", http2: true);

    public async Task DisposeAsync() => await _backend.DisposeAsync();

    [Fact]
    public async Task Requests_pings_and_a_protocol_error_with_Kestrel()
    {
        using var client = new TcpClient();
        await client.ConnectAsync("127.0.0.1", _backend.Port);
        var connection = new Connection(client.GetStream());

        // Preface, our SETTINGS and a bigger connection window.
        Send(connection, Preface.Client.ToArray());
        connection.Send(b => FrameWriter.TryWriteSettings(b, [new(SettingId.EnablePush, 0), new(SettingId.InitialWindowSize, 1 << 20)], out var n) ? n : -1);
        connection.Send(b => FrameWriter.TryWriteWindowUpdate(b, 0, 1 << 20, out var n) ? n : -1);

        // GET / (stream 1): :method GET, :scheme http, :path /, :authority localhost.
        byte[] get = [0x82, 0x86, 0x84, .. Literal(1, "localhost")];
        connection.Send(b => FrameWriter.TryWriteFieldBlock(b, 1, get, 16_384, endStream: true, out var n) ? n : -1);
        // POST /upload (stream 3) with a 40 000-byte body in three DATA frames.
        byte[] post = [0x83, 0x86, .. Literal(4, "/upload"), .. Literal(1, "localhost")];
        connection.Send(b => FrameWriter.TryWriteFieldBlock(b, 3, post, 16_384, endStream: false, out var n) ? n : -1);
        var body = new byte[40_000];
        for (var offset = 0; offset < body.Length; offset += 16_384)
        {
            var chunk = body.AsSpan(offset, Math.Min(16_384, body.Length - offset)).ToArray();
            var last = offset + chunk.Length == body.Length;
            connection.Send(b => FrameWriter.TryWriteData(b, 3, chunk, last, out var n) ? n : -1);
        }
        connection.Send(b => FrameWriter.TryWritePing(b, 0xfeed_beef_0000_0001, ack: false, out var n) ? n : -1);
        await connection.FlushAsync();

        var peerSettings = Http2Settings.Default;
        var settingsAcked = false;
        var pingAnswered = false;
        var responses = new Dictionary<int, (byte[] Fields, MemoryStream Body, bool Ended)>();
        var sequence = new FieldBlockSequence(64 * 1024);
        while (!(settingsAcked && pingAnswered && responses.Count == 2 && responses.Values.All(r => r.Ended)))
        {
            var (header, payload) = await connection.ReceiveAsync().WaitAsync(Patience);
            Assert.False(sequence.Observe(header).IsError);
            FrameError error;
            switch (header.Type)
            {
                case FrameType.Settings:
                    Assert.True(FrameReader.TryGetSettings(header, payload, out var settings, out error), error.ToString());
                    if (header.HasFlag(FrameFlags.Ack))
                    {
                        settingsAcked = true;
                        break;
                    }
                    foreach (var setting in settings) peerSettings.Apply(setting);
                    connection.Send(b => FrameWriter.TryWriteSettingsAck(b, out var n) ? n : -1);
                    await connection.FlushAsync();
                    break;
                case FrameType.WindowUpdate:
                    Assert.True(FrameReader.TryGetWindowUpdate(header, payload, out var increment, out error), error.ToString());
                    Assert.True(increment > 0);
                    break;
                case FrameType.Ping:
                    Assert.True(FrameReader.TryGetPing(header, payload, out var opaque, out error), error.ToString());
                    Assert.True(header.HasFlag(FrameFlags.Ack));
                    Assert.Equal(0xfeed_beef_0000_0001UL, opaque);
                    pingAnswered = true;
                    break;
                case FrameType.Headers:
                    Assert.True(FrameReader.TryGetHeaders(header, payload, out var fragment, out error), error.ToString());
                    Assert.True(header.HasFlag(FrameFlags.EndHeaders));
                    responses[header.StreamId] = (fragment.ToArray(), new MemoryStream(), header.HasFlag(FrameFlags.EndStream));
                    break;
                case FrameType.Data:
                    Assert.True(FrameReader.TryGetData(header, payload, out var data, out error), error.ToString());
                    var response = responses[header.StreamId];
                    response.Body.Write(data);
                    responses[header.StreamId] = response with { Ended = header.HasFlag(FrameFlags.EndStream) };
                    break;
                default:
                    Assert.Fail($"unexpected {header}");
                    break;
            }
        }

        Assert.Equal(100u, peerSettings.MaxConcurrentStreams); // Kestrel's default Http2Limits.MaxStreamsPerConnection
        Assert.Equal(0x88, responses[1].Fields[0]); // :status 200, static table index 8
        var json = Encoding.UTF8.GetString(responses[1].Body.ToArray());
        Assert.Contains("\"protocol\":\"HTTP/2\"", json, StringComparison.Ordinal);
        Assert.Contains("\"path\":\"/\"", json, StringComparison.Ordinal);
        Assert.Equal(0x88, responses[3].Fields[0]);
        Assert.Equal("k:40000", Encoding.UTF8.GetString(responses[3].Body.ToArray()));

        // A WINDOW_UPDATE of 0 for the connection (built by hand: the writer refuses it) is a connection PROTOCOL_ERROR.
        Send(connection, RawFrame.Build(FrameType.WindowUpdate, FrameFlags.None, 0, 0, 0, 0, 0));
        await connection.FlushAsync();
        while (true)
        {
            var (header, payload) = await connection.ReceiveAsync().WaitAsync(Patience);
            if (header.Type != FrameType.GoAway) continue; // e.g. window updates still in flight
            Assert.True(FrameReader.TryGetGoAway(header, payload, out var lastStreamId, out var code, out _, out var error), error.ToString());
            Assert.Equal(Http2ErrorCode.ProtocolError, code);
            Assert.Equal(3, lastStreamId);
            break;
        }
    }

    /// <summary>HPACK literal field without indexing, name from static table <paramref name="nameIndex"/>, raw value (RFC 7541 §6.2.2).</summary>
    private static byte[] Literal(byte nameIndex, string value) => [nameIndex, (byte)value.Length, .. Encoding.ASCII.GetBytes(value)];

    private static void Send(Connection connection, byte[] bytes) => connection.Send(b =>
    {
        bytes.CopyTo(b);
        return bytes.Length;
    });

    /// <summary>A socket with a send buffer the writer fills and a receive buffer the reader cuts frames from.</summary>
    private sealed class Connection(NetworkStream stream)
    {
        private readonly byte[] _out = new byte[256 * 1024];
        private readonly byte[] _in = new byte[256 * 1024];
        private int _outLength;
        private int _inStart;
        private int _inEnd;

        public delegate int Writer(Span<byte> destination);

        public void Send(Writer write)
        {
            var n = write(_out.AsSpan(_outLength));
            Assert.True(n > 0, "the send buffer is too small");
            _outLength += n;
        }

        public async Task FlushAsync()
        {
            await stream.WriteAsync(_out.AsMemory(0, _outLength));
            _outLength = 0;
        }

        public async Task<(FrameHeader Header, byte[] Payload)> ReceiveAsync()
        {
            while (true)
            {
                if (TryCut(out var frame)) return frame;
                if (_inStart > 0)
                {
                    _in.AsSpan(_inStart, _inEnd - _inStart).CopyTo(_in);
                    _inEnd -= _inStart;
                    _inStart = 0;
                }
                var read = await stream.ReadAsync(_in.AsMemory(_inEnd));
                if (read == 0) throw new EndOfStreamException("Kestrel closed the connection");
                _inEnd += read;
            }
        }

        private bool TryCut(out (FrameHeader, byte[]) frame)
        {
            var status = FrameReader.TryRead(_in.AsSpan(_inStart, _inEnd - _inStart), 16_384, out var header, out var payload, out var consumed);
            Assert.NotEqual(ReadStatus.FrameSizeError, status);
            frame = (header, payload.ToArray());
            _inStart += consumed;
            return status == ReadStatus.Complete;
        }
    }
}
