using System.Collections.Concurrent;
using Grpc.Core;
using Grpc.Health.V1;
using Grpc.Net.Client;
using Portolan.Health.Matching;
using Portolan.Health.Subjects;

namespace Portolan.Health.Probing;

/// <summary>
/// gRPC probes with Grpc.Net.Client: a unary call with an empty message to the configured path, judged by its
/// grpc-status against the matcher, as ALB does. The default path /AWS.ALB/healthcheck expects 12 (UNIMPLEMENTED);
/// a real grpc.health.v1 server is probed with path /grpc.health.v1.Health/Check and matcher 0, and then its
/// answer must also say SERVING (an OK call reporting NOT_SERVING fails; ALB would only look at the code).
/// Messages travel as raw bytes so any method's reply is accepted. Channels are cached per authority and share one
/// HTTP/2 handler (h2c for http://, TLS with ALPN for https://).
/// </summary>
internal sealed class GrpcProbe(ProbeConnections connections) : IDisposable
{
    public const string HealthCheckPath = "/grpc.health.v1.Health/Check";

    private static readonly Marshaller<byte[]> Bytes = Marshallers.Create(static b => b, static b => b);

    private readonly SocketsHttpHandler _handler = NetworkProber.NewHandler(connections);
    private readonly ConcurrentDictionary<string, GrpcChannel> _channels = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Method<byte[], byte[]>> _methods = new(StringComparer.Ordinal);

    public async Task<(ProbeOutcome, int?, string?)> CallAsync(ProbeSpec spec, CancellationToken ct)
    {
        var path = spec.Path ?? HealthCheckPath;
        var matcher = spec.Matcher ?? CodeMatcher.GrpcUnimplemented;
        var channel = _channels.GetOrAdd(spec.Authority, static (authority, handler) => GrpcChannel.ForAddress(authority, new GrpcChannelOptions
        {
            HttpHandler = handler,
            DisposeHttpClient = false,
            MaxReceiveMessageSize = 64 * 1024,
            MaxRetryAttempts = 0,
        }), _handler);
        var method = _methods.GetOrAdd(path, static p => MethodFor(p));

        int code;
        byte[]? reply = null;
        try
        {
            var headers = spec.UserAgent is { } agent ? new Metadata { { "user-agent", agent } } : null;
            reply = await channel.CreateCallInvoker().AsyncUnaryCall(method, null, new CallOptions(headers, cancellationToken: ct), []);
            code = (int)StatusCode.OK;
        }
        catch (RpcException e) when (e.Status.DebugException is null && !ct.IsCancellationRequested)
        {
            // A status the server sent (transport failures carry the exception that caused them and are classified).
            code = (int)e.StatusCode;
        }

        if (!matcher.Matches(code)) return (ProbeOutcome.WrongGrpcCode, code, $"gRPC status {code} ({(StatusCode)code}), expected {matcher.Text}");
        if (code == 0 && reply is not null && path == HealthCheckPath)
        {
            var status = HealthCheckResponse.Parser.ParseFrom(reply).Status;
            if (status != HealthCheckResponse.Types.ServingStatus.Serving)
                return (ProbeOutcome.NotServing, code, $"grpc.health.v1 status {status}");
        }
        return (ProbeOutcome.Success, code, $"gRPC status {code} ({(StatusCode)code})");
    }

    /// <summary>"/pkg.Service/Method" → service "pkg.Service", method "Method"; a path without a second slash is all service.</summary>
    private static Method<byte[], byte[]> MethodFor(string path)
    {
        var trimmed = path.TrimStart('/');
        var slash = trimmed.LastIndexOf('/');
        var service = slash < 0 ? trimmed : trimmed[..slash];
        var name = slash < 0 ? "" : trimmed[(slash + 1)..];
        return new Method<byte[], byte[]>(MethodType.Unary, service, name, Bytes, Bytes);
    }

    public void Forget(ProbeSpec spec) => _channels.TryRemove(spec.Authority, out _);

    public void Dispose()
    {
        foreach (var channel in _channels.Values) channel.Dispose();
        _channels.Clear();
        _handler.Dispose();
    }
}
