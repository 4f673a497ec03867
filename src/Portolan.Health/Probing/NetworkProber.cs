using System.Net;
using System.Net.Http;
using System.Net.Sockets;
using Portolan.Health.Subjects;

namespace Portolan.Health.Probing;

/// <summary>
/// Probes over real sockets: TCP connects, HTTP/1.1 and HTTP/2 GETs, gRPC unary calls. One pooled
/// <see cref="SocketsHttpHandler"/> per protocol, so a target's connection is reused from one probe to the next
/// (one probe per interval keeps it warm) and 10,000 targets cost 10,000 idle connections, not a handshake
/// each. Certificates are not validated: ALB and Route 53 don't validate target certificates either. Each probe
/// carries its own timeout, so a hung target only ever holds its own probe.
/// </summary>
public sealed class NetworkProber : IProber, IDisposable
{
    private readonly TimeProvider _time;
    private readonly HttpProbe _http;
    private readonly GrpcProbe _grpc;
    private readonly ProbeConnections _connections = new();

    public NetworkProber(TimeProvider time)
    {
        _time = time;
        _http = new HttpProbe(_connections);
        _grpc = new GrpcProbe(_connections);
    }

    public async Task<ProbeResult> ProbeAsync(ProbeSpec spec, CancellationToken cancellationToken)
    {
        var at = _time.GetUtcNow();
        if (spec.Host.Length == 0) return new ProbeResult(at, ProbeOutcome.NoAddress, TimeSpan.Zero, null, "no address to probe (AWS_INSTANCE_IPV4 or AWS_INSTANCE_IPV6)");
        var started = _time.GetTimestamp();
        using var timeout = new CancellationTokenSource(spec.Timeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, cancellationToken);
        (ProbeOutcome Outcome, int? Code, string? Detail) r;
        try
        {
            r = spec.Protocol switch
            {
                ProbeProtocol.Tcp => await ConnectAsync(spec, linked.Token),
                ProbeProtocol.Grpc => await _grpc.CallAsync(spec, linked.Token),
                _ => await _http.GetAsync(spec, linked.Token),
            };
        }
        catch (Exception) when (cancellationToken.IsCancellationRequested)
        {
            throw new OperationCanceledException(cancellationToken);
        }
        catch (Exception) when (timeout.IsCancellationRequested)
        {
            r = (ProbeOutcome.Timeout, null, $"no answer within {spec.Timeout.TotalSeconds:0.###} s");
        }
        catch (Exception e)
        {
            var (outcome, detail) = ProbeFailures.Classify(e);
            r = (outcome, null, detail);
        }
        return new ProbeResult(at, r.Outcome, _time.GetElapsedTime(started), r.Code, r.Detail);
    }

    private static async Task<(ProbeOutcome, int?, string?)> ConnectAsync(ProbeSpec spec, CancellationToken ct)
    {
        EndPoint endPoint = IPAddress.TryParse(spec.Host, out var ip) ? new IPEndPoint(ip, spec.Port) : new DnsEndPoint(spec.Host, spec.Port);
        using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(endPoint, ct);
        return (ProbeOutcome.Success, null, "connected");
    }

    public void Forget(ProbeSpec spec)
    {
        if (spec.Protocol == ProbeProtocol.Grpc) _grpc.Forget(spec);
    }

    public void Release(string host, int port) => _connections.Close(host, port);

    /// <summary>How many pooled probe connections are open to a target (for tests).</summary>
    internal int OpenConnectionsTo(string host, int port) => _connections.OpenTo(host, port);

    public void Dispose()
    {
        _http.Dispose();
        _grpc.Dispose();
    }

    /// <summary>The handler every HTTP-based probe uses: pooled, no redirects, no cookies, no proxy, any certificate.</summary>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Security", "CA5359", Justification = "Health checks, like ALB's and Route 53's, don't validate target certificates.")]
    internal static SocketsHttpHandler NewHandler(ProbeConnections connections) => new()
    {
        ConnectCallback = connections.ConnectAsync,
        AllowAutoRedirect = false,
        UseCookies = false,
        UseProxy = false,
        AutomaticDecompression = DecompressionMethods.None,
        // Longer than any interval AWS allows (300 s) would hold sockets for nothing; 90 s covers the default 30 s.
        PooledConnectionIdleTimeout = TimeSpan.FromSeconds(90),
        ActivityHeadersPropagator = null,
        MaxResponseDrainSize = 64 * 1024,
        ResponseDrainTimeout = TimeSpan.FromSeconds(1),
        SslOptions = { RemoteCertificateValidationCallback = static (_, _, _, _) => true },
    };
}
