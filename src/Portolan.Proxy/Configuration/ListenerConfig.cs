using System.Collections.Immutable;
using System.Net;
using System.Security.Authentication;

namespace Portolan.Proxy.Configuration;

/// <summary>
/// One listener: a port (on <see cref="Address"/>), its protocol, its rules in any order (they are sorted by
/// priority when compiled) and the default actions that apply when no rule matches.
/// </summary>
public sealed record ListenerConfig
{
    /// <summary>The listener's ARN (or any unique id); used as its name in logs, access logs and counters.</summary>
    public required string Id { get; init; }

    /// <summary>The ARN of the load balancer this listener belongs to (access logs' <c>elb</c> field).</summary>
    public string LoadBalancerId { get; init; } = "";

    public IPAddress Address { get; init; } = IPAddress.Loopback;

    /// <summary>The port to bind; 0 picks a free one (tests).</summary>
    public int Port { get; init; }

    public ListenerProtocol Protocol { get; init; } = ListenerProtocol.Http;

    /// <summary>HTTPS only: where the default certificate comes from.</summary>
    public CertificateSource? Certificate { get; init; }

    /// <summary>HTTPS only: more certificates, offered to clients whose SNI name one of them covers.</summary>
    public ImmutableArray<CertificateSource> SniCertificates { get; init; } = [];

    /// <summary>HTTPS only: the TLS versions accepted (the listener's security policy); <c>None</c> leaves it to the system.</summary>
    public SslProtocols TlsProtocols { get; init; } = SslProtocols.None;

    /// <summary>
    /// Which HTTP versions clients may speak and, on HTTPS, how ALPN offers them. On a cleartext listener only
    /// <see cref="AlpnPolicy.Http1Only"/> matters (no h2c); the others allow both.
    /// </summary>
    public AlpnPolicy Alpn { get; init; } = AlpnPolicy.Http2Preferred;

    public ImmutableArray<RuleConfig> Rules { get; init; } = [];

    /// <summary>The default rule's action (a listener always has one in ELBv2).</summary>
    public required RuleAction DefaultAction { get; init; }

    /// <summary>
    /// How long a connection (client or target side) may sit without data: the load balancer's
    /// <c>idle_timeout.timeout_seconds</c>. A target silent for this long gets the client a 504.
    /// </summary>
    public TimeSpan IdleTimeout { get; init; } = TimeSpan.FromSeconds(60);
}

/// <summary>ELB's ALPN policies for HTTPS listeners.</summary>
public enum AlpnPolicy
{
    /// <summary>No ALPN: clients speak HTTP/1.1.</summary>
    None,

    /// <summary>HTTP/1.1 only.</summary>
    Http1Only,

    /// <summary>HTTP/2 only: clients that do not offer h2 are refused.</summary>
    Http2Only,

    /// <summary>Both, HTTP/1.1 preferred.</summary>
    Http2Optional,

    /// <summary>Both, HTTP/2 preferred (Portolan's default).</summary>
    Http2Preferred,
}

public enum ListenerProtocol
{
    /// <summary>Cleartext: HTTP/1.1 and HTTP/2 with prior knowledge (h2c) on the same port.</summary>
    Http,

    /// <summary>TLS: HTTP/2 or HTTP/1.1 chosen by ALPN.</summary>
    Https,
}

/// <summary>
/// A certificate in files: a PEM certificate (chain) with its PEM key, or a PKCS#12 (.pfx) file with an optional
/// password. Loaded when the listener starts or its certificate changes.
/// </summary>
public sealed record CertificateSource(string Path, string? KeyPath = null, string? Password = null);
