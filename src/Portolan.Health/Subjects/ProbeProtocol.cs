namespace Portolan.Health.Subjects;

/// <summary>How a subject is probed.</summary>
public enum ProbeProtocol
{
    /// <summary>A TCP connection is opened and closed; success = the handshake completed.</summary>
    Tcp,

    /// <summary>HTTP/1.1 GET of the path (over TLS when <see cref="ProbeSpec.Tls"/>).</summary>
    Http1,

    /// <summary>HTTP/2 GET of the path: TLS with ALPN h2, or cleartext h2 with prior knowledge.</summary>
    Http2,

    /// <summary>A unary gRPC call to the path (e.g. <c>/grpc.health.v1.Health/Check</c>) over HTTP/2, judged by its grpc-status.</summary>
    Grpc,
}
