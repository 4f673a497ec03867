namespace Portolan.Health.Probing;

/// <summary>Why a probe passed or failed: the classification a user reads to learn what is wrong with a target.</summary>
public enum ProbeOutcome
{
    /// <summary>Connected and, for HTTP and gRPC, answered with an accepted code.</summary>
    Success,

    /// <summary>The connection was refused: nothing listens on the port.</summary>
    Refused,

    /// <summary>The peer reset or closed the connection before answering.</summary>
    Reset,

    /// <summary>No answer within the timeout.</summary>
    Timeout,

    /// <summary>The TLS handshake failed (e.g. HTTPS probe against a plaintext port).</summary>
    TlsFailure,

    /// <summary>An HTTP status code outside the matcher.</summary>
    WrongStatus,

    /// <summary>A gRPC status code outside the matcher.</summary>
    WrongGrpcCode,

    /// <summary>grpc.health.v1 answered OK but with a status other than SERVING.</summary>
    NotServing,

    /// <summary>The host name did not resolve.</summary>
    DnsFailure,

    /// <summary>No route to the address (network or host unreachable).</summary>
    Unreachable,

    /// <summary>The peer answered, but not in the expected protocol (e.g. HTTP/1.1 to an HTTP/2 probe).</summary>
    ProtocolError,

    /// <summary>The subject has no address to probe (e.g. an instance without AWS_INSTANCE_IPV4/IPV6).</summary>
    NoAddress,

    /// <summary>Anything else; the detail says what.</summary>
    Error,
}
