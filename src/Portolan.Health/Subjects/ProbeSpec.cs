using Portolan.Health.Matching;

namespace Portolan.Health.Subjects;

/// <summary>
/// One probe, fully described: where, how, what counts as success and how long to wait. Immutable and compared by
/// value, so a snapshot that re-lists an unchanged subject changes nothing.
/// </summary>
/// <param name="Protocol">How to probe.</param>
/// <param name="Tls">HTTPS / gRPC over TLS. Certificates are not validated, as ALB and Route 53 don't validate them.</param>
/// <param name="Host">An IP address (the usual case) or a host name, resolved at each probe.</param>
/// <param name="Port">The port probed.</param>
/// <param name="Path">HTTP path and query, or the gRPC method path; ignored for TCP.</param>
/// <param name="Matcher">Codes that count as success: HTTP status codes, or gRPC status codes for <see cref="ProbeProtocol.Grpc"/>.</param>
/// <param name="Timeout">How long a probe may take before it fails as a timeout.</param>
/// <param name="UserAgent">The User-Agent of HTTP probes (ALB sends ELB-HealthChecker/2.0).</param>
public sealed record ProbeSpec(
    ProbeProtocol Protocol,
    bool Tls,
    string Host,
    int Port,
    string? Path,
    CodeMatcher? Matcher,
    TimeSpan Timeout,
    string? UserAgent = null)
{
    /// <summary>The <c>scheme://host:port</c> authority of HTTP and gRPC probes (IPv6 literals bracketed).</summary>
    public string Authority => $"{(Tls ? "https" : "http")}://{(Host.Contains(':', StringComparison.Ordinal) ? $"[{Host}]" : Host)}:{Port}";

    public override string ToString() => Protocol switch
    {
        ProbeProtocol.Tcp => $"TCP {Host}:{Port}",
        ProbeProtocol.Grpc => $"gRPC{(Tls ? "+TLS" : "")} {Authority}{Path}",
        ProbeProtocol.Http2 => $"HTTP/2 {Authority}{Path}",
        _ => $"HTTP/1.1 {Authority}{Path}",
    };
}
