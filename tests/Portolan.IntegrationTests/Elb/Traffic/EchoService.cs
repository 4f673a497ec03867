using Grpc.Core;
using Portolan.IntegrationTests.Elb.Traffic.Grpc;

namespace Portolan.IntegrationTests.Elb.Traffic;

/// <summary>The gRPC target: every call shape, a status code with a trailer, and a call that waits for its deadline.</summary>
public sealed class EchoService(BackendName name) : Echo.EchoBase
{
    public override Task<EchoReply> Unary(EchoRequest request, ServerCallContext context) =>
        Task.FromResult(new EchoReply { Message = request.Message, Server = name.Name });

    public override async Task ServerStream(StreamRequest request, IServerStreamWriter<EchoReply> responseStream, ServerCallContext context)
    {
        for (var i = 0; i < request.Count; i++) await responseStream.WriteAsync(new EchoReply { Message = $"{request.Message}-{i}", Server = name.Name });
    }

    public override async Task<EchoReply> ClientStream(IAsyncStreamReader<EchoRequest> requestStream, ServerCallContext context)
    {
        var parts = new List<string>();
        await foreach (var message in requestStream.ReadAllAsync(context.CancellationToken)) parts.Add(message.Message);
        return new EchoReply { Message = string.Join(",", parts), Server = name.Name };
    }

    public override async Task Bidi(IAsyncStreamReader<EchoRequest> requestStream, IServerStreamWriter<EchoReply> responseStream, ServerCallContext context)
    {
        await foreach (var message in requestStream.ReadAllAsync(context.CancellationToken))
        {
            await responseStream.WriteAsync(new EchoReply { Message = message.Message.ToUpperInvariant(), Server = name.Name });
        }
    }

    public override Task<EchoReply> Fail(FailRequest request, ServerCallContext context)
    {
        context.ResponseTrailers.Add("x-detail-echo", request.Detail);
        throw new RpcException(new Status((StatusCode)request.Code, request.Detail));
    }

    public override async Task<EchoReply> Sleep(SleepRequest request, ServerCallContext context)
    {
        await Task.Delay(request.Milliseconds, context.CancellationToken);
        return new EchoReply { Message = "awake", Server = name.Name };
    }
}
