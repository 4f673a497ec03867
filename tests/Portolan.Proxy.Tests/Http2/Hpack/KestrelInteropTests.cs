using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Logging;
using Portolan.Proxy.Http2.Hpack;

namespace Portolan.Proxy.Tests.Http2.Hpack;

/// <summary>
/// The codec against another implementation: a raw h2c client sends Kestrel requests our encoder wrote and decodes
/// Kestrel's responses (whose encoder adds response fields to its dynamic table) with our decoder, two requests on
/// one connection so the second response refers to the table the first one filled.
/// </summary>
public sealed class KestrelInteropTests
{
    private const byte Data = 0x0, Headers = 0x1, Settings = 0x4, Continuation = 0x9;
    private const byte EndStream = 0x1, Ack = 0x1, EndHeaders = 0x4, Padded = 0x8, Priority = 0x20;

    [Fact]
    public async Task Kestrel_decodes_our_requests_and_we_decode_its_responses()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, o => o.Protocols = HttpProtocols.Http2));
        await using var app = builder.Build();
        app.Run(async ctx =>
        {
            ctx.Response.Headers.CacheControl = "private, max-age=60";
            ctx.Response.Headers["x-reply"] = ctx.Request.Headers["x-custom-header"];
            ctx.Response.Headers.SetCookie = "AWSALB=" + new string('z', 40) + "; Path=/";
            ctx.Response.ContentType = "text/plain";
            // The body lists what Kestrel decoded from our block, in order.
            var seen = string.Join('\n', ctx.Request.Headers.Select(h => $"{h.Key.ToLowerInvariant()}: {h.Value}").Order());
            await ctx.Response.WriteAsync($"{ctx.Request.Method} {ctx.Request.Path}{ctx.Request.QueryString}\n{seen}");
        });
        await app.StartAsync();
        var port = new Uri(app.Urls.Single()).Port;

        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, port);
        var stream = client.GetStream();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30)); // a hang fails, it is not a measure
        await stream.WriteAsync("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"u8.ToArray(), timeout.Token);
        await WriteFrameAsync(stream, Settings, 0, 0, ReadOnlyMemory<byte>.Empty, timeout.Token);

        var encoder = new HpackEncoder();
        var decoder = new HpackDecoder();
        var blockLengths = new List<int>();
        for (var streamId = 1; streamId <= 3; streamId += 2)
        {
            var block = new byte[1024];
            var length = 0;
            void Add(string name, string value, bool sensitive = false)
            {
                Assert.True(encoder.TryEncode(Encoding.ASCII.GetBytes(name), Encoding.ASCII.GetBytes(value), sensitive, block.AsSpan(length), out var written));
                length += written;
            }
            Add(":method", "GET");
            Add(":scheme", "http");
            Add(":authority", $"127.0.0.1:{port}");
            Add(":path", $"/items/{streamId}?q=a%20b");
            Add("user-agent", "portolan-hpack-test/1.0");
            Add("accept-encoding", "gzip, deflate");
            Add("X-Custom-Header", $"Value-{streamId}"); // written lowercase
            Add("authorization", "Bearer secret-token", sensitive: true);
            await WriteFrameAsync(stream, Headers, EndStream | EndHeaders, streamId, block.AsMemory(0, length), timeout.Token);

            var (responseBlock, body) = await ReadResponseAsync(stream, streamId, timeout.Token);
            blockLengths.Add(responseBlock.Length);
            var sink = new HeaderCollector();
            Assert.Equal(DecodeStatus.Success, decoder.Decode(responseBlock, sink));
            var fields = sink.Fields.ToDictionary(f => f.Name, f => f.Value);
            Assert.Equal(":status", sink.Fields[0].Name);
            Assert.Equal("200", fields[":status"]);
            Assert.Equal("text/plain", fields["content-type"]);
            Assert.Equal("private, max-age=60", fields["cache-control"]);
            Assert.Equal($"Value-{streamId}", fields["x-reply"]);
            Assert.Equal("AWSALB=" + new string('z', 40) + "; Path=/", fields["set-cookie"]);
            Assert.Equal("Kestrel", fields["server"]);
            Assert.EndsWith(" GMT", fields["date"]);

            Assert.Equal(
                $"GET /items/{streamId}?q=a%20b\n" +
                string.Join('\n', new[]
                {
                    "accept-encoding: gzip, deflate", "authorization: Bearer secret-token", $"host: 127.0.0.1:{port}",
                    "user-agent: portolan-hpack-test/1.0", $"x-custom-header: Value-{streamId}",
                }.Order()),
                body);
        }
        // Kestrel indexed the first response's fields, so the second refers to them: the 49-byte set-cookie value
        // alone shrinks to an index byte (date and x-reply may be new literals, when the second has turned).
        Assert.True(decoder.TableCount > 0);
        Assert.True(blockLengths[1] <= blockLengths[0] - 40, $"first {blockLengths[0]} bytes, second {blockLengths[1]}");
    }

    private static async Task WriteFrameAsync(NetworkStream stream, byte type, int flags, int streamId, ReadOnlyMemory<byte> payload, CancellationToken cancel)
    {
        var header = new byte[9];
        header[0] = (byte)(payload.Length >> 16);
        header[1] = (byte)(payload.Length >> 8);
        header[2] = (byte)payload.Length;
        header[3] = type;
        header[4] = (byte)flags;
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(5), streamId);
        await stream.WriteAsync(header, cancel);
        await stream.WriteAsync(payload, cancel);
    }

    // Reads frames until the stream ends: acknowledges SETTINGS, joins HEADERS + CONTINUATION into one block
    // (padding and priority removed), gathers DATA.
    private static async Task<(byte[] Block, string Body)> ReadResponseAsync(NetworkStream stream, int streamId, CancellationToken cancel)
    {
        var block = new List<byte>();
        var body = new List<byte>();
        var header = new byte[9];
        while (true)
        {
            await stream.ReadExactlyAsync(header, cancel);
            var length = header[0] << 16 | header[1] << 8 | header[2];
            var (type, flags) = (header[3], header[4]);
            var id = BinaryPrimitives.ReadInt32BigEndian(header.AsSpan(5)) & int.MaxValue;
            var payload = new byte[length];
            await stream.ReadExactlyAsync(payload, cancel);

            if (type == Settings && (flags & Ack) == 0) await WriteFrameAsync(stream, Settings, Ack, 0, ReadOnlyMemory<byte>.Empty, cancel);
            if (id != streamId) continue;
            var content = payload.AsSpan();
            if (type is Headers or Data && (flags & Padded) != 0) content = content[1..^payload[0]];
            if (type == Headers && (flags & Priority) != 0) content = content[5..];
            if (type is Headers or Continuation) block.AddRange(content.ToArray());
            if (type == Data) body.AddRange(content.ToArray());
            if ((flags & EndStream) != 0) return ([.. block], Encoding.ASCII.GetString([.. body]));
        }
    }
}
