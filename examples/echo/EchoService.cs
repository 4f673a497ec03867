using Grpc.Core;

namespace Portolan.Examples.Echo;

/// <summary>Which task answers, and on which port.</summary>
internal sealed record EchoIdentity(string Task, int Port);

/// <summary>The gRPC echo: the message back, with the task that answered.</summary>
internal sealed class EchoService(EchoIdentity identity) : Echo.EchoBase
{
    public override Task<EchoReply> Echo(EchoRequest request, ServerCallContext context) =>
        Task.FromResult(new EchoReply { Message = request.Message, Task = identity.Task, Port = identity.Port });
}
