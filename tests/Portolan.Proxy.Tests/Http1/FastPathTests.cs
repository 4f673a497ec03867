using System.Net;
using System.Net.Http.Json;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Portolan.Proxy.Configuration;
using Portolan.Proxy.Tests.Support;

namespace Portolan.Proxy.Tests.Http1;

/// <summary>
/// The HTTP/1.1 fast path against real sockets on both sides: clients that send exactly the bytes a test wants, and a
/// target written by hand (<see cref="RawTarget"/>) that answers with every framing, misbehaviour and failure a
/// proxy must survive — checked against what an ALB (or nginx) user expects to see.
/// </summary>
/// <remarks>
/// Runs alone (<see cref="FastPathCollection"/>): the backpressure tests measure the process's live heap, which tests
/// of other classes running at the same time would inflate.
/// </remarks>
[Collection(nameof(FastPathCollection))]
public sealed partial class FastPathTests : IAsyncLifetime
{
    private const int BigSize = 20 * 1024 * 1024;
    private static readonly byte[] BigBody = Pattern(BigSize);

    private ProxyHost _proxy = null!;
    private RawTarget _raw = null!;
    private Backend _h1 = null!;
    private Backend _h2 = null!;
    private long _bigWritten;
    private TaskCompletionSource _releaseUpload = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public async Task InitializeAsync()
    {
        _raw = new RawTarget(AnswerAsync);
        _h1 = await Backend.StartAsync("h1");
        _h2 = await Backend.StartAsync("h2", http2: true);
        _proxy = await ProxyHost.StartAsync();
        var rawGroup = new TargetGroupConfig { Id = "tg-raw", Targets = [new TargetConfig { Host = "127.0.0.1", Port = _raw.Port, Health = TargetHealth.Healthy }] };
        await _proxy.ApplyAsync(
            [
                rawGroup,
                ProxyHost.Group("tg-h1", _h1),
                ProxyHost.Group("tg-h2", _h2) with { ProtocolVersion = TargetProtocolVersion.Http2 },
            ],
            ProxyHost.Listener("main", "tg-raw",
                new RuleConfig { Priority = 1, Conditions = [new PathPatternCondition(["/kestrel/*", "/upload"])], Action = ForwardAction.To("tg-h1") },
                new RuleConfig { Priority = 2, Conditions = [new PathPatternCondition(["/h2/*"])], Action = ForwardAction.To("tg-h2") },
                new RuleConfig { Priority = 3, Conditions = [new PathPatternCondition(["/fixed"])], Action = new FixedResponseAction(418, "text/plain", "teapot") }),
            ProxyHost.Listener("short", "tg-raw") with { IdleTimeout = TimeSpan.FromSeconds(1) },
            ProxyHost.Listener("leak", "tg-raw"));
    }

    public async Task DisposeAsync()
    {
        await _proxy.DisposeAsync();
        await _raw.DisposeAsync();
        await _h1.DisposeAsync();
        await _h2.DisposeAsync();
    }

    private IPEndPoint Main => _proxy.EndPoint("main");

    private static string Get(string target, string host = "app.test") => $"GET {target} HTTP/1.1\r\nHost: {host}\r\n\r\n";

    /// <summary>The raw target's routes: each answers in the one way its name says.</summary>
    private async Task<bool> AnswerAsync(RawExchange x)
    {
        switch (x.Path)
        {
            case "/cl":
                await x.WriteAsync("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nX-Framing: length\r\n\r\nhello");
                return true;
            case "/chunked":
                await x.WriteAsync("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTrailer: X-Trailer\r\n\r\n5;ext=1\r\nhello\r\n6\r\n world\r\n0\r\nX-Trailer: yes\r\n\r\n");
                return true;
            case "/until-close":
                await x.WriteAsync("HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\n\r\n");
                await x.WriteAsync(BigBody.AsMemory(0, 300_000));
                return false;
            case "/until-close-small":
                await x.WriteAsync("HTTP/1.1 200 OK\r\n\r\nsmall body");
                x.Socket.Shutdown(SocketShutdown.Send);
                return false;
            case "/early":
                // Answers before reading the body (a 413, an auth failure), then keeps reading a little before closing.
                await x.WriteAsync("HTTP/1.1 413 Payload Too Large\r\nContent-Length: 4\r\nConnection: close\r\n\r\nbig!");
                await Task.Delay(200);
                return false;
            case "/head":
                await x.WriteAsync("HTTP/1.1 200 OK\r\nContent-Length: 1234\r\nContent-Type: text/plain\r\n\r\n");
                return true;
            case "/connection-named":
                await x.WriteAsync("HTTP/1.1 200 OK\r\nConnection: X-Hop, keep-alive\r\nX-Hop: private\r\nX-Kept: yes\r\nContent-Length: 2\r\n\r\nok");
                return true;
            case "/204":
                await x.WriteAsync("HTTP/1.1 204 No Content\r\nX-Empty: yes\r\n\r\n");
                return true;
            case "/304":
                await x.WriteAsync("HTTP/1.1 304 Not Modified\r\nETag: \"v1\"\r\nContent-Length: 42\r\n\r\n");
                return true;
            case "/interim":
                await x.WriteAsync("HTTP/1.1 100 Continue\r\n\r\n");
                await x.WriteAsync("HTTP/1.1 103 Early Hints\r\nLink: </style.css>; rel=preload\r\n\r\n");
                await x.WriteAsync("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nfinal");
                return true;
            case "/malformed":
                await x.WriteAsync("HTTP/1.1 2x0 Whatever\r\nContent-Length: 0\r\n\r\n");
                return false;
            case "/big-head":
                await x.WriteAsync($"HTTP/1.1 200 OK\r\nX-Big: {new string('a', 70 * 1024)}\r\nContent-Length: 0\r\n\r\n");
                return false;
            case "/close-silently":
                return false;
            case "/never":
                await Task.Delay(Timeout.Infinite, x.Stopping);
                return false;
            case "/reset":
                await x.WriteAsync("HTTP/1.1 200 OK\r\nContent-Length: 1000000\r\n\r\n");
                await x.WriteAsync(BigBody.AsMemory(0, 100_000));
                await Task.Delay(50);
                x.Reset();
                return false;
            case "/echo":
                if (x.Chunked)
                {
                    var raw = await x.ReadBodyAsync();
                    await x.WriteAsync($"HTTP/1.1 200 OK\r\nContent-Length: {raw.Length}\r\n\r\n");
                    await x.WriteAsync(raw);
                    return true;
                }
                // Full duplex: the answer streams back while the body is still arriving.
                await x.WriteAsync($"HTTP/1.1 200 OK\r\nContent-Length: {x.ContentLength}\r\n\r\n");
                await x.ReadBodyAsync(piece => x.WriteAsync(piece));
                return true;
            case "/stall-upload":
            {
                await _releaseUpload.Task.WaitAsync(x.Stopping);
                using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
                await x.ReadBodyAsync(piece =>
                {
                    sha.AppendData(piece.Span);
                    return Task.CompletedTask;
                });
                var hash = Convert.ToHexString(sha.GetHashAndReset());
                await x.WriteAsync($"HTTP/1.1 200 OK\r\nContent-Length: {hash.Length}\r\n\r\n{hash}");
                return true;
            }
            case "/big":
                await x.WriteAsync($"HTTP/1.1 200 OK\r\nContent-Length: {BigSize}\r\n\r\n");
                for (var offset = 0; offset < BigSize; offset += 64 * 1024)
                {
                    await x.WriteAsync(BigBody.AsMemory(offset, Math.Min(64 * 1024, BigSize - offset)));
                    Interlocked.Add(ref _bigWritten, Math.Min(64 * 1024, BigSize - offset));
                }
                return true;
            case "/once":
                // Keep-alive in words, but the target closes its side shortly after each answer (an idle timeout
                // shorter than the proxy's), sometimes while the next request is already on its way.
                await x.WriteAsync("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
                await Task.Delay(int.Parse(x.Query));
                return false;
            case "/ws":
                await x.WriteAsync("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n");
                var buffer = new byte[1024];
                int n;
                while ((n = await x.Socket.ReceiveAsync(buffer, x.Stopping)) > 0) await x.WriteAsync(buffer.AsMemory(0, n));
                return false;
            default:
                // The request target as the body: which request this answers.
                var body = Encoding.ASCII.GetBytes(x.Target);
                await x.WriteAsync($"HTTP/1.1 200 OK\r\nContent-Length: {body.Length}\r\n\r\n");
                await x.WriteAsync(body);
                return true;
        }
    }

    private static byte[] Pattern(int size)
    {
        var bytes = new byte[size];
        for (var i = 0; i < size; i++) bytes[i] = (byte)(i % 251);
        return bytes;
    }

    // ---- keep-alive and pipelining ----

    [Fact]
    public async Task KeepAlive_ManyRequestsOnOneConnection()
    {
        var before = _raw.Connections;
        using var client = await RawClient.ConnectAsync(Main);
        for (var i = 0; i < 100; i++)
        {
            await client.SendAsync(Get($"/n/{i}?q={i}"));
            var response = await client.ReadResponseAsync();
            Assert.Equal(200, response.Status);
            Assert.Equal($"/n/{i}?q={i}", response.Text);
            Assert.Null(response.Header("Connection"));
        }
        Assert.True(_raw.Connections - before <= 2, "the proxy reuses its target connection (one per loop at most)");
    }

    [Fact]
    public async Task Pipelining_ThreeRequestsInOneSend_ThreeResponsesInOrder()
    {
        using var client = await RawClient.ConnectAsync(Main);
        await client.SendAsync(Get("/pipe/1") + Get("/chunked") + Get("/pipe/3"));
        Assert.Equal("/pipe/1", (await client.ReadResponseAsync()).Text);
        Assert.Equal("hello world", (await client.ReadResponseAsync()).Text);
        Assert.Equal("/pipe/3", (await client.ReadResponseAsync()).Text);
    }

    [Fact]
    public async Task Pipelining_BodiesAndFixedResponsesInOneSend()
    {
        using var client = await RawClient.ConnectAsync(Main);
        await client.SendAsync("POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello"
            + "POST /fixed HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nabc" + Get("/pipe/last"));
        Assert.Equal("hello", (await client.ReadResponseAsync()).Text);
        Assert.Equal(418, (await client.ReadResponseAsync()).Status);
        Assert.Equal("/pipe/last", (await client.ReadResponseAsync()).Text);
    }

    // ---- request bodies ----

    [Fact]
    public async Task RequestBody_ContentLength_Small()
    {
        using var client = await RawClient.ConnectAsync(Main);
        await client.SendAsync("POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 11\r\n\r\nhello world");
        var response = await client.ReadResponseAsync();
        Assert.Equal(200, response.Status);
        Assert.Equal("hello world", response.Text);
        await client.SendAsync(Get("/after"));
        Assert.Equal("/after", (await client.ReadResponseAsync()).Text);
    }

    [Fact]
    public async Task RequestBody_FiveMegabytes_StreamedBothWays_Intact()
    {
        const int size = 5 * 1024 * 1024;
        var body = RandomNumberGenerator.GetBytes(size);
        using var client = await RawClient.ConnectAsync(Main);
        await client.SendAsync($"POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: {size}\r\n\r\n");
        var sending = Task.Run(async () =>
        {
            for (var offset = 0; offset < size; offset += 100_000) await client.SendAsync(body.AsMemory(offset, Math.Min(100_000, size - offset)));
        });
        var response = await client.ReadResponseAsync();
        await sending;
        Assert.Equal(200, response.Status);
        Assert.Equal(SHA256.HashData(body), SHA256.HashData(response.Body));
        await client.SendAsync(Get("/after-5mb"));
        Assert.Equal("/after-5mb", (await client.ReadResponseAsync()).Text);
    }

    [Fact]
    public async Task RequestBody_Chunked_WithExtensionsAndTrailers_OneByteSends()
    {
        const string chunked = "4;name=value\r\nWiki\r\n5\r\npedia\r\nE;a=\"quoted\"\r\n in\r\n\r\nchunks.\r\n0\r\nX-Checksum: abc\r\nX-More: 1\r\n\r\n";
        using var client = await RawClient.ConnectAsync(Main);
        await client.SendAsync("POST /echo HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n");
        foreach (var b in Encoding.ASCII.GetBytes(chunked)) await client.SendAsync(new[] { b });
        var response = await client.ReadResponseAsync();
        Assert.Equal(200, response.Status);
        Assert.Equal(chunked, response.Text); // the target got the chunked body verbatim
        await client.SendAsync(Get("/after-chunked"));
        Assert.Equal("/after-chunked", (await client.ReadResponseAsync()).Text);
    }

    [Fact]
    public async Task RequestBody_TargetAnswersBeforeReadingIt_ClientGetsTheAnswer()
    {
        using var client = await RawClient.ConnectAsync(Main);
        await client.SendAsync($"POST /early HTTP/1.1\r\nHost: a\r\nContent-Length: {BigSize}\r\n\r\n");
        var sending = Task.Run(async () =>
        {
            try
            {
                for (var offset = 0; offset < BigSize; offset += 64 * 1024) await client.Socket.SendAsync(BigBody.AsMemory(offset, 64 * 1024));
            }
            catch (SocketException)
            {
                // The proxy stops taking the body once the answer is out.
            }
            catch (ObjectDisposedException)
            {
            }
        });
        var response = await client.ReadResponseAsync();
        Assert.Equal(413, response.Status);
        Assert.Equal("big!", response.Text);
        client.Socket.Close();
        await sending;
    }

    [Fact]
    public async Task RequestBody_ArrivingSlowly()
    {
        using var client = await RawClient.ConnectAsync(Main);
        await client.SendAsync("POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\n\r\n");
        foreach (var c in "0123456789")
        {
            await Task.Delay(30);
            await client.SendAsync(c.ToString());
        }
        Assert.Equal("0123456789", (await client.ReadResponseAsync()).Text);
    }

    // ---- response framings ----

    [Fact]
    public async Task Response_ContentLength_And_Chunked_PassedOnAsFramed()
    {
        using var client = await RawClient.ConnectAsync(Main);
        await client.SendAsync(Get("/cl"));
        var cl = await client.ReadResponseAsync();
        Assert.Equal("hello", cl.Text);
        Assert.Equal("length", cl.Header("X-Framing"));

        await client.SendAsync(Get("/chunked"));
        var chunked = await client.ReadResponseAsync();
        Assert.Equal("hello world", chunked.Text);
        Assert.Equal("5;ext=1\r\nhello\r\n6\r\n world\r\n0\r\nX-Trailer: yes\r\n\r\n", Encoding.ASCII.GetString(chunked.RawBody));
        Assert.Equal("X-Trailer: yes\r\n", chunked.Trailers);
        Assert.Equal("X-Trailer", chunked.Header("Trailer")); // announces the trailers, which pass: not hop-by-hop
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Response_CloseDelimited_AllBytesThenAClose(bool slowClient)
    {
        // A slow client makes the proxy stop reading the target, so the target's FIN waits behind the data.
        var errorsBefore = LoadBalancerErrors();
        using var client = await RawClient.ConnectAsync(Main, receiveBuffer: slowClient ? 16 * 1024 : 0);
        await client.SendAsync(Get("/until-close"));
        if (slowClient) await Task.Delay(300);
        var response = await client.ReadResponseAsync();
        Assert.True(response.EndedWithClose);
        Assert.Equal("close", response.Header("Connection"));
        Assert.Equal(BigBody.AsSpan(0, 300_000).ToArray(), response.Body);
        Assert.Equal(errorsBefore, LoadBalancerErrors());
    }

    [Fact]
    public async Task Response_CloseDelimited_DataAndCloseArrivingTogether()
    {
        var errorsBefore = LoadBalancerErrors("short");
        for (var i = 0; i < 20; i++)
        {
            using var client = await RawClient.ConnectAsync(_proxy.EndPoint("short"));
            await client.SendAsync(Get("/until-close-small"));
            var response = await client.ReadResponseAsync(); // a lost end of stream would be a cut after the idle timeout instead
            Assert.True(response.EndedWithClose);
            Assert.Equal("small body", response.Text);
        }
        // An end of stream the proxy missed ends the same way for the client, but only at the idle timeout, as a cut (504).
        Assert.Equal(errorsBefore, LoadBalancerErrors("short"));
    }

    [Fact]
    public async Task Response_FieldsTheTargetsConnectionHeaderNames_AreNotPassedOn()
    {
        using var client = await RawClient.ConnectAsync(Main);
        await client.SendAsync(Get("/connection-named"));
        var response = await client.ReadResponseAsync();
        Assert.Equal(200, response.Status);
        Assert.Null(response.Header("X-Hop"));
        Assert.Null(response.Header("Connection"));
        Assert.Equal("yes", response.Header("X-Kept"));
        Assert.Equal("ok", response.Text);
    }

    [Fact]
    public async Task Response_Head_204_304_HaveNoBody_AndTheConnectionGoesOn()
    {
        using var client = await RawClient.ConnectAsync(Main);
        await client.SendAsync("HEAD /head HTTP/1.1\r\nHost: a\r\n\r\n");
        var head = await client.ReadResponseAsync(headRequest: true);
        Assert.Equal(200, head.Status);
        Assert.Equal("1234", head.Header("Content-Length"));

        await client.SendAsync(Get("/204"));
        var noContent = await client.ReadResponseAsync();
        Assert.Equal(204, noContent.Status);
        Assert.Equal("yes", noContent.Header("X-Empty"));

        await client.SendAsync(Get("/304"));
        var notModified = await client.ReadResponseAsync();
        Assert.Equal(304, notModified.Status);
        Assert.Equal("\"v1\"", notModified.Header("ETag"));

        await client.SendAsync(Get("/after-no-body"));
        Assert.Equal("/after-no-body", (await client.ReadResponseAsync()).Text);
    }

    [Fact]
    public async Task Response_InterimResponses_PassedOnBeforeTheFinalOne()
    {
        using var client = await RawClient.ConnectAsync(Main);
        await client.SendAsync(Get("/interim"));
        var (interim, final) = await client.ReadFinalResponseAsync();
        Assert.Equal([100, 103], interim.Select(r => r.Status));
        Assert.Equal("</style.css>; rel=preload", interim[1].Header("Link"));
        Assert.Equal("final", final.Text);
        await client.SendAsync(Get("/after-interim"));
        Assert.Equal("/after-interim", (await client.ReadResponseAsync()).Text);
    }

    [Theory]
    [InlineData("/malformed")]
    [InlineData("/big-head")]
    [InlineData("/close-silently")]
    public async Task Response_BrokenTarget_IsA502(string path)
    {
        using var client = await RawClient.ConnectAsync(Main);
        await client.SendAsync(Get(path));
        var response = await client.ReadResponseAsync();
        Assert.Equal(502, response.Status);
        Assert.Contains("502 Bad Gateway", response.Text, StringComparison.Ordinal);
        await client.SendAsync(Get("/after-502"));
        Assert.Equal("/after-502", (await client.ReadResponseAsync()).Text);
    }

    [Fact]
    public async Task Response_SilentTarget_IsA504AfterTheIdleTimeout()
    {
        using var client = await RawClient.ConnectAsync(_proxy.EndPoint("short"));
        await client.SendAsync(Get("/never"));
        var response = await client.ReadResponseAsync();
        Assert.Equal(504, response.Status);
        Assert.Contains("504 Gateway Time-out", response.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Response_TargetResetsMidBody_ClientConnectionIsCut()
    {
        using var client = await RawClient.ConnectAsync(Main);
        await client.SendAsync(Get("/reset"));
        var (bytes, _) = await client.ReadToEndAsync();
        var text = Encoding.Latin1.GetString(bytes);
        Assert.StartsWith("HTTP/1.1 200 OK\r\n", text, StringComparison.Ordinal);
        var bodyStart = text.IndexOf("\r\n\r\n", StringComparison.Ordinal) + 4;
        Assert.True(bytes.Length - bodyStart < 1_000_000, "the client must not get a complete body");
        Assert.Equal(BigBody.AsSpan(0, bytes.Length - bodyStart).ToArray(), bytes[bodyStart..]);
    }

    // ---- backpressure ----

    [Fact]
    public async Task Backpressure_TwentyMegabytesToASlowReader_IntactWithoutBuffering()
    {
        GC.KeepAlive(BigBody); // allocated before the baseline
        var baseline = GC.GetTotalMemory(forceFullCollection: true);
        Interlocked.Exchange(ref _bigWritten, 0);
        using var client = await RawClient.ConnectAsync(Main, receiveBuffer: 64 * 1024);
        await client.SendAsync(Get("/big"));

        // The client reads nothing until the target can write no more: what is in between is socket buffers, not the proxy's memory.
        await QuiesceAsync(() => Interlocked.Read(ref _bigWritten));
        var held = GC.GetTotalMemory(forceFullCollection: true) - baseline;
        Assert.True(held < 8 * 1024 * 1024, $"the proxy holds {held / 1024} KiB for a client that reads nothing");

        var head = await client.ReadResponseAsync(headRequest: true);
        Assert.Equal(BigSize.ToString(), head.Header("Content-Length"));
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        for (var read = 0; read < BigSize;)
        {
            var piece = await client.ReadExactAsync(Math.Min(256 * 1024, BigSize - read));
            sha.AppendData(piece);
            read += piece.Length;
            await Task.Yield();
        }
        Assert.Equal(SHA256.HashData(BigBody), sha.GetHashAndReset());
    }

    [Fact]
    public async Task Backpressure_TwentyMegabytesToATargetThatDoesNotRead_NotBuffered()
    {
        _releaseUpload = new(TaskCreationOptions.RunContinuationsAsynchronously);
        GC.KeepAlive(BigBody); // allocated before the baseline
        var baseline = GC.GetTotalMemory(forceFullCollection: true);
        using var client = await RawClient.ConnectAsync(Main);
        client.Socket.SendBufferSize = 64 * 1024;
        await client.SendAsync($"POST /stall-upload HTTP/1.1\r\nHost: a\r\nContent-Length: {BigSize}\r\n\r\n");
        long sent = 0;
        var sending = Task.Run(async () =>
        {
            for (var offset = 0; offset < BigSize; offset += 64 * 1024)
            {
                await client.Socket.SendAsync(BigBody.AsMemory(offset, Math.Min(64 * 1024, BigSize - offset)));
                Interlocked.Add(ref sent, Math.Min(64 * 1024, BigSize - offset));
            }
        });

        await QuiesceAsync(() => Interlocked.Read(ref sent));
        var held = GC.GetTotalMemory(forceFullCollection: true) - baseline;
        Assert.True(held < 8 * 1024 * 1024, $"the proxy holds {held / 1024} KiB of a body its target does not read");

        _releaseUpload.TrySetResult();
        await sending.WaitAsync(TimeSpan.FromSeconds(20));
        var response = await client.ReadResponseAsync();
        Assert.Equal(Convert.ToHexString(SHA256.HashData(BigBody)), response.Text);
    }

    /// <summary>Waits (bounded) until <paramref name="progress"/> stops moving.</summary>
    private static async Task QuiesceAsync(Func<long> progress)
    {
        var last = -1L;
        var still = 0;
        for (var i = 0; i < 100 && still < 3; i++)
        {
            await Task.Delay(100);
            var now = progress();
            still = now == last && now > 0 ? still + 1 : 0;
            last = now;
        }
    }

    // ---- target connection reuse ----

    [Fact]
    public async Task PooledConnection_ClosedByTheTargetAfterEachResponse_EveryRequestStillSucceeds()
    {
        var errorsBefore = LoadBalancerErrors();
        using var client = Clients.Http1();
        for (var i = 0; i < 60; i++)
        {
            using var response = await client.GetAsync(new Uri(_proxy.Url("main"), $"/once?{i % 4 * 2}"));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("ok", await response.Content.ReadAsStringAsync());
        }
        Assert.Equal(errorsBefore, LoadBalancerErrors());
    }

    private long LoadBalancerErrors(string listener = "main") =>
        ((Portolan.Proxy.Observability.IProxyStatistics)_proxy.Listeners).Listeners.Single(l => l.Name == listener).LoadBalancerErrors;

    // ---- hand-off to Kestrel ----

    [Fact]
    public async Task HandOff_AlternatingFastPathAndHttp2Group_OnOneConnection()
    {
        using var client = await RawClient.ConnectAsync(Main);
        await client.SendAsync(Get("/kestrel/1"));
        Assert.Equal("HTTP/1.1", (await ReadJsonAsync(client))["protocol"]); // fast path to the HTTP/1.1 group

        await client.SendAsync(Get("/h2/2"));
        var h2 = await ReadJsonAsync(client); // handed to Kestrel with this request as the prefix
        Assert.Equal("HTTP/2", h2["protocol"]);
        Assert.Equal("/h2/2", h2["path"]);

        await client.SendAsync(Get("/kestrel/3"));
        var h1 = await ReadJsonAsync(client); // Kestrel serves the rest of the connection
        Assert.Equal("h1", h1["server"]);
        Assert.Equal("/kestrel/3", h1["path"]);
    }

    [Fact]
    public async Task HandOff_InTheMiddleOfAPipeline()
    {
        using var client = await RawClient.ConnectAsync(Main);
        await client.SendAsync(Get("/pipe/a") + Get("/h2/b") + Get("/kestrel/c"));
        Assert.Equal("/pipe/a", (await client.ReadResponseAsync()).Text);
        Assert.Equal("/h2/b", (await ReadJsonAsync(client))["path"]);
        Assert.Equal("/kestrel/c", (await ReadJsonAsync(client))["path"]);
    }

    private static async Task<Dictionary<string, string?>> ReadJsonAsync(RawClient client)
    {
        var response = await client.ReadResponseAsync();
        Assert.Equal(200, response.Status);
        return System.Text.Json.JsonSerializer.Deserialize<Dictionary<string, string?>>(response.Body)!;
    }

    [Fact]
    public async Task Http10_GetsAnHttp10Answer_NeverChunked()
    {
        using var client = await RawClient.ConnectAsync(Main);
        await client.SendAsync("GET /chunked HTTP/1.0\r\n\r\n");
        var (bytes, _) = await client.ReadToEndAsync(); // HTTP/1.0 without keep-alive: the proxy closes after
        var text = Encoding.Latin1.GetString(bytes);
        Assert.Matches(@"^HTTP/1\.[01] 200 ", text);
        var split = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        Assert.DoesNotContain("Transfer-Encoding", text[..split], StringComparison.OrdinalIgnoreCase);
        Assert.Equal("hello world", text[(split + 4)..]);
    }

    [Fact]
    public async Task Expect100Continue_Post_GetsItsContinueThenTheAnswer()
    {
        using var client = await RawClient.ConnectAsync(Main);
        await client.SendAsync("POST /upload HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n");
        var interim = await client.ReadResponseAsync();
        Assert.Equal(100, interim.Status);
        await client.SendAsync("hello");
        var final = await client.ReadResponseAsync();
        Assert.Equal(200, final.Status);
        Assert.Equal("h1:5", final.Text);
    }

    [Fact]
    public async Task Upgrade_WebSocket_IsTunnelledThroughKestrel()
    {
        using var client = await RawClient.ConnectAsync(Main);
        await client.SendAsync("GET /ws HTTP/1.1\r\nHost: a\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n");
        var switched = await client.ReadResponseAsync();
        Assert.Equal(101, switched.Status);
        Assert.Equal("websocket", switched.Header("Upgrade"), ignoreCase: true);
        await client.SendAsync("\x81\x04ping");
        Assert.Equal("\x81\x04ping", Encoding.Latin1.GetString(await client.ReadExactAsync(6)));
    }

    [Fact]
    public async Task H2cPriorKnowledge_StillWorksOnTheSamePort()
    {
        using var client = Clients.H2c();
        using var response = await client.GetAsync(new Uri(_proxy.Url("main"), "/kestrel/h2c"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(HttpVersion.Version20, response.Version);
        Assert.Equal("/kestrel/h2c", (await response.Content.ReadFromJsonAsync<Dictionary<string, string?>>())!["path"]);
    }

    [Fact]
    public async Task FixedResponse_ServedOnTheFastPath_KeepsTheConnection()
    {
        using var client = await RawClient.ConnectAsync(Main);
        await client.SendAsync(Get("/fixed") + Get("/after-fixed"));
        var response = await client.ReadResponseAsync();
        Assert.Equal(418, response.Status);
        Assert.Equal("teapot", response.Text);
        Assert.Equal("text/plain; charset=utf-8", response.Header("Content-Type"));
        var date = DateTimeOffset.ParseExact(response.Header("Date")!, "R", System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(date, DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddMinutes(5)); // an HTTP date, not a timing check
        Assert.Equal("/after-fixed", (await client.ReadResponseAsync()).Text);
    }

    // ---- headers ----

    [Fact]
    public async Task Headers_AsAlbForwardsThem()
    {
        using var client = await RawClient.ConnectAsync(Main);
        var obs = "caf\u00e9 \u0080\u00ff\u00a0";
        await client.SendAsync(
            "GET /headers/1?a=b HTTP/1.1\r\nHost: Example.COM:8080\r\nX-Forwarded-For: 203.0.113.7\r\nX-Forwarded-Proto: https\r\n"
            + "X-Forwarded-Port: 1\r\nConnection: keep-alive\r\nKeep-Alive: timeout=5\r\nTE: trailers\r\n"
            + "X-Amzn-Trace-Id: Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1\r\n"
            + $"X-Obs: {obs}\r\n\r\n");
        Assert.Equal(200, (await client.ReadResponseAsync()).Status);

        var head = _raw.HeadFor("/headers/1?a=b");
        var lines = head.Split("\r\n");
        Assert.Equal("GET /headers/1?a=b HTTP/1.1", lines[0]);
        Assert.Contains("Host: Example.COM:8080", lines);
        Assert.Contains("X-Forwarded-For: 203.0.113.7, 127.0.0.1", lines);
        Assert.Contains("X-Forwarded-Proto: http", lines);
        Assert.Contains($"X-Forwarded-Port: {Main.Port}", lines);
        Assert.Contains("X-Amzn-Trace-Id: Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1", lines);
        Assert.Contains($"X-Obs: {obs}", lines); // Latin-1 both ways: byte-exact
        foreach (var name in new[] { "Connection", "Keep-Alive", "TE" })
        {
            Assert.DoesNotContain(lines, l => l.StartsWith(name + ":", StringComparison.OrdinalIgnoreCase));
        }
        Assert.Single(lines, l => l.StartsWith("X-Forwarded-Proto:", StringComparison.Ordinal));
        Assert.Single(lines, l => l.StartsWith("X-Forwarded-Port:", StringComparison.Ordinal));
        Assert.Single(lines, l => l.StartsWith("X-Amzn-Trace-Id:", StringComparison.Ordinal));

        await client.SendAsync("GET /headers/2 HTTP/1.1\r\nHost: a\r\nX-Amzn-Trace-Id: Self=1-abc\r\n\r\n" + Get("/headers/3"));
        await client.ReadResponseAsync();
        await client.ReadResponseAsync();
        foreach (var target in new[] { "/headers/2", "/headers/3" })
        {
            var forwarded = _raw.HeadFor(target).Split("\r\n");
            var trace = Assert.Single(forwarded, l => l.StartsWith("X-Amzn-Trace-Id: ", StringComparison.Ordinal)); // a Root-less one is replaced
            Assert.Matches(TraceIdPattern(), trace["X-Amzn-Trace-Id: ".Length..]);
            Assert.Equal("X-Forwarded-For: 127.0.0.1", Assert.Single(forwarded, l => l.StartsWith("X-Forwarded-For", StringComparison.Ordinal)));
        }
    }

    [GeneratedRegex("^Root=1-[0-9a-f]{8}-[0-9a-f]{24}$")]
    private static partial Regex TraceIdPattern();

    // ---- clients that leave, crowds, garbage ----

    [Fact]
    public async Task ClientLeavingMidResponse_NothingLeaks_NextRequestWorks()
    {
        var listener = ((ProxyRuntime)_proxy.Listeners).FastPath("leak")!;
        for (var i = 0; i < 3; i++)
        {
            using var client = await RawClient.ConnectAsync(_proxy.EndPoint("leak"), receiveBuffer: 64 * 1024);
            await client.SendAsync(Get("/big"));
            await client.ReadExactAsync(100_000);
        }
        using (var bound = new CancellationTokenSource(TimeSpan.FromSeconds(10)))
        {
            while (listener.Connections > 0) await Task.Delay(20, bound.Token);
        }

        using var next = await RawClient.ConnectAsync(_proxy.EndPoint("leak"));
        await next.SendAsync(Get("/after-leaving"));
        Assert.Equal("/after-leaving", (await next.ReadResponseAsync()).Text);
    }

    [Fact]
    public async Task ClientThatStopsReading_IsCutAfterTheIdleTimeout_AsTheClientsFault()
    {
        var runtime = (ProxyRuntime)_proxy.Listeners;
        var counters = runtime.Listeners.Single(c => c.Name == "short");
        var clientErrors = counters.StatusClass(4);
        var balancerErrors = counters.LoadBalancerErrors;
        using var client = await RawClient.ConnectAsync(_proxy.EndPoint("short"), receiveBuffer: 64 * 1024);
        await client.SendAsync(Get("/big"));

        // Reads nothing: once the buffers between are full nothing moves, and after the listener's idle timeout
        // (1 s) the proxy gives up on the client and logs it as the client's (460).
        using (var bound = new CancellationTokenSource(TimeSpan.FromSeconds(15)))
        {
            while (counters.StatusClass(4) == clientErrors) await Task.Delay(20, bound.Token);
        }
        Assert.Equal(balancerErrors, counters.LoadBalancerErrors); // not a 504 blamed on the target
        var (bytes, _) = await client.ReadToEndAsync(); // what was in flight, then the close
        Assert.True(bytes.Length < BigSize, "the response was cut, not completed");
    }

    [Fact]
    public async Task Burst_200ConnectionsOf20Requests_AllCorrect()
    {
        var end = Main;
        await Task.WhenAll(Enumerable.Range(0, 200).Select(c => Task.Run(async () =>
        {
            using var client = await RawClient.ConnectAsync(end);
            for (var i = 0; i < 20; i++)
            {
                await client.SendAsync(Get($"/burst/{c}/{i}"));
                var response = await client.ReadResponseAsync();
                Assert.Equal(200, response.Status);
                Assert.Equal($"/burst/{c}/{i}", response.Text);
            }
        })));
    }

    [Fact]
    public async Task Garbage_ClosedOrA400_ServerFineAfter()
    {
        using (var client = await RawClient.ConnectAsync(Main))
        {
            await client.SendAsync("\x01\x02\x03 \xff\xfe garbage\r\n\r\n");
            AssertClosedOr400(await client.ReadToEndAsync());
        }
        using (var client = await RawClient.ConnectAsync(Main))
        {
            await client.SendAsync(await CaptureClientHelloAsync());
            AssertClosedOr400(await client.ReadToEndAsync());
        }
        using var after = await RawClient.ConnectAsync(Main);
        await after.SendAsync(Get("/after-garbage"));
        Assert.Equal("/after-garbage", (await after.ReadResponseAsync()).Text);
    }

    private static void AssertClosedOr400((byte[] Bytes, bool Reset) end)
    {
        if (end.Bytes.Length > 0) Assert.StartsWith("HTTP/1.1 400 ", Encoding.Latin1.GetString(end.Bytes), StringComparison.Ordinal);
    }

    /// <summary>A real TLS ClientHello, as SslStream sends it first.</summary>
    private static async Task<byte[]> CaptureClientHelloAsync()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(IPAddress.Loopback, ((IPEndPoint)listener.LocalEndpoint).Port);
        using var server = await listener.AcceptSocketAsync();
        await using var tls = new SslStream(tcp.GetStream());
        var handshake = tls.AuthenticateAsClientAsync("app.test");
        var buffer = new byte[16 * 1024];
        var n = await server.ReceiveAsync(buffer);
        server.Close();
        await Assert.ThrowsAnyAsync<Exception>(() => handshake);
        return buffer[..n];
    }
}

[CollectionDefinition(nameof(FastPathCollection), DisableParallelization = true)]
public sealed class FastPathCollection;
