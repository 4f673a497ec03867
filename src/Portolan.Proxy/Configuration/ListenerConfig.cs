using System.Collections.Immutable;
using System.Net;

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

    /// <summary>HTTPS only: where the certificate comes from.</summary>
    public CertificateSource? Certificate { get; init; }

    public ImmutableArray<RuleConfig> Rules { get; init; } = [];

    /// <summary>The default rule's action (a listener always has one in ELBv2).</summary>
    public required RuleAction DefaultAction { get; init; }

    /// <summary>
    /// How long a connection (client or target side) may sit without data: the load balancer's
    /// <c>idle_timeout.timeout_seconds</c>. A target silent for this long gets the client a 504.
    /// </summary>
    public TimeSpan IdleTimeout { get; init; } = TimeSpan.FromSeconds(60);
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
