using Grpc.Core;
using Grpc.Net.Client;
using Portolan.Proxy.Configuration;
using Portolan.Proxy.Tests.Grpc;
using Portolan.Proxy.Tests.Support;

namespace Portolan.Proxy.Tests.Traffic;

/// <summary>Grpc.Net.Client over h2c to a cleartext listener, forwarded to a real gRPC server through a GRPC target group.</summary>
public sealed class GrpcTests : IAsyncLifetime
{
    private ProxyHost _proxy = null!;
    private Backend _backend = null!;
    private GrpcChannel _channel = null!;
    private Echo.EchoClient _client = null!;

    public async Task InitializeAsync()
    {
        _backend = await Backend.StartAsync("grpc-1", http2: true);
        _proxy = await ProxyHost.StartAsync();
        await _proxy.ApplyAsync(
            [ProxyHost.Group("tg-grpc", _backend) with { ProtocolVersion = TargetProtocolVersion.Grpc }],
            ProxyHost.Listener("grpc", "tg-grpc", new RuleConfig
            {
                // gRPC rules route by service and method: the path is /package.Service/Method.
                Priority = 1,
                Conditions = [new PathPatternCondition(["/portolan.test.Echo/Fail*"])],
                Action = ForwardAction.To("tg-grpc"),
            }));
        _channel = GrpcChannel.ForAddress(_proxy.Url("grpc"));
        _client = new Echo.EchoClient(_channel);
    }

    public async Task DisposeAsync()
    {
        _channel.Dispose();
        await _proxy.DisposeAsync();
        await _backend.DisposeAsync();
    }

    [Fact]
    public async Task Unary_ReachesTheServer()
    {
        var reply = await _client.UnaryAsync(new EchoRequest { Message = "hi" });
        Assert.Equal("hi", reply.Message);
        Assert.Equal("grpc-1", reply.Server);
    }

    [Fact]
    public async Task ServerStreaming_AllMessagesArriveInOrder()
    {
        using var call = _client.ServerStream(new StreamRequest { Message = "m", Count = 50 });
        var got = new List<string>();
        await foreach (var reply in call.ResponseStream.ReadAllAsync()) got.Add(reply.Message);
        Assert.Equal(Enumerable.Range(0, 50).Select(i => $"m-{i}"), got);
        Assert.Equal(StatusCode.OK, call.GetStatus().StatusCode);
    }

    [Fact]
    public async Task ClientStreaming_ServerSeesEveryMessage()
    {
        using var call = _client.ClientStream();
        foreach (var part in new[] { "a", "b", "c" }) await call.RequestStream.WriteAsync(new EchoRequest { Message = part });
        await call.RequestStream.CompleteAsync();
        Assert.Equal("a,b,c", (await call).Message);
    }

    [Fact]
    public async Task Bidi_EachMessageAnsweredOnTheSameStream()
    {
        using var call = _client.Bidi();
        for (var i = 0; i < 20; i++)
        {
            await call.RequestStream.WriteAsync(new EchoRequest { Message = $"x{i}" });
            Assert.True(await call.ResponseStream.MoveNext());
            Assert.Equal($"X{i}", call.ResponseStream.Current.Message);
        }
        await call.RequestStream.CompleteAsync();
        Assert.False(await call.ResponseStream.MoveNext());
    }

    [Theory]
    [InlineData(StatusCode.NotFound)]
    [InlineData(StatusCode.PermissionDenied)]
    [InlineData(StatusCode.ResourceExhausted)]
    [InlineData(StatusCode.Internal)]
    public async Task ErrorStatus_AndTrailers_ComeThrough(StatusCode code)
    {
        var call = _client.FailAsync(new FailRequest { Code = (int)code, Detail = "because" });
        var e = await Assert.ThrowsAsync<RpcException>(() => call.ResponseAsync);
        Assert.Equal(code, e.StatusCode);
        Assert.Equal("because", e.Status.Detail);
        Assert.Equal("because", e.Trailers.GetValue("x-detail-echo"));
    }

    [Fact]
    public async Task Deadline_ExceededBeforeTheServerAnswers()
    {
        var e = await Assert.ThrowsAsync<RpcException>(async () =>
            await _client.SleepAsync(new SleepRequest { Milliseconds = 20_000 }, deadline: DateTime.UtcNow.AddMilliseconds(300)));
        Assert.Equal(StatusCode.DeadlineExceeded, e.StatusCode);

        // The connection is still good for the next call.
        Assert.Equal("after", (await _client.UnaryAsync(new EchoRequest { Message = "after" })).Message);
    }

    [Fact]
    public async Task ManyConcurrentCalls_OnOneConnection()
    {
        var calls = Enumerable.Range(0, 200).Select(i => _client.UnaryAsync(new EchoRequest { Message = $"c{i}" }).ResponseAsync);
        var replies = await Task.WhenAll(calls);
        Assert.Equal(Enumerable.Range(0, 200).Select(i => $"c{i}"), replies.Select(r => r.Message));
    }
}
