using System.Net;

namespace Portolan.Dns.Server;

/// <summary>Where and how the DNS server listens. Every limit has a default that is safe on a shared host.</summary>
public sealed class DnsServerOptions
{
    /// <summary>The address and port for both UDP and TCP.</summary>
    /// <remarks>
    /// Defaults to 127.0.0.1:7753 (unprivileged; the host's <c>--dns</c> sets it). Port 0 picks a free port, the
    /// same for UDP and TCP. Binding a specific address is better than a wildcard on a multi-homed host: replies
    /// leave from the socket's address.
    /// </remarks>
    public IPEndPoint EndPoint { get; set; } = new(IPAddress.Loopback, 7753);

    /// <summary>UDP receive loops: threads making blocking receive/send calls, each with its own buffers.</summary>
    /// <remarks>
    /// Defaults to the processor count, at least 2 and at most 16 (NSD and Knot run one worker per processor). On
    /// Linux each loop has its own socket on the same port (SO_REUSEPORT), and the kernel spreads clients over them.
    /// </remarks>
    public int UdpReceiveLoops { get; set; } = Math.Clamp(Environment.ProcessorCount, 2, 16);

    /// <summary>Datagrams a UDP receive loop takes, and answers, per system call (Linux's recvmmsg/sendmmsg).</summary>
    /// <remarks>
    /// Defaults to 32. A loop never waits to fill a batch: it takes what is queued, at least one datagram, so a
    /// batch only grows under load, where it saves two system calls per query. 1 (and any OS but Linux) uses one
    /// recvfrom and one sendto per query.
    /// </remarks>
    public int UdpBatchSize { get; set; } = 32;

    /// <summary>The largest UDP reply Portolan sends and advertises in its OPT record.</summary>
    /// <remarks>
    /// Defaults to 1232, the DNS Flag Day 2020 value that avoids IP fragmentation on any common path (as BIND,
    /// Knot and Unbound default to). A client's smaller EDNS size wins; without EDNS replies stay within 512.
    /// </remarks>
    public int MaxUdpPayload { get; set; } = 1232;

    /// <summary>Open TCP connections at once; more are closed as soon as they are accepted.</summary>
    /// <remarks>Defaults to 256. Each connection holds no buffer between queries, so this bounds memory.</remarks>
    public int MaxTcpConnections { get; set; } = 256;

    /// <summary>How long a TCP connection may wait for (the rest of) its next query before it is closed.</summary>
    /// <remarks>Defaults to 10 s (RFC 7766 §6.2.3 asks for seconds, not minutes); a slow client cannot hold a slot longer.</remarks>
    public TimeSpan TcpIdleTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Upstream resolvers for names outside Portolan's zones, tried in order.</summary>
    /// <remarks>
    /// Defaults to none: such names are REFUSED and Portolan is never an open resolver. With forwarders set,
    /// Portolan can be a host's only resolver (as Consul's <c>recursors</c>): other names are relayed to the
    /// first upstream that answers (over the transport the client used), and replies advertise recursion (RA).
    /// Anyone who can reach the DNS port can then resolve through it, so bind it to loopback or a private address.
    /// </remarks>
    public IList<IPEndPoint> Forwarders { get; } = [];

    /// <summary>How long one upstream gets to answer before the next is tried.</summary>
    /// <remarks>Defaults to 2 s (Unbound and systemd-resolved wait similarly before moving on).</remarks>
    public TimeSpan ForwardTimeout { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Forwarded queries in flight at once; beyond this, new ones are answered SERVFAIL at once.</summary>
    /// <remarks>Defaults to 256: a flood of queries for outside names cannot exhaust memory or sockets.</remarks>
    public int MaxConcurrentForwards { get; set; } = 256;

    /// <summary>
    /// When true, an address that cannot be bound is logged as a warning and the process runs without DNS
    /// (<see cref="IDnsServer.UdpEndPoint"/> stays null) instead of failing to start.
    /// </summary>
    /// <remarks>
    /// Defaults to false. The host sets it for its default address only, so a second <c>portolan serve</c> on
    /// the same machine still starts (and says DNS is off), while an explicit <c>--dns</c> that cannot be bound
    /// is an error.
    /// </remarks>
    public bool Optional { get; set; }

    internal void Validate()
    {
        if (UdpReceiveLoops is < 1 or > 256) throw new ArgumentOutOfRangeException(nameof(UdpReceiveLoops), UdpReceiveLoops, "Use 1 to 256 receive loops.");
        if (UdpBatchSize is < 1 or > 1024) throw new ArgumentOutOfRangeException(nameof(UdpBatchSize), UdpBatchSize, "Use 1 to 1024 datagrams per batch.");
        if (MaxUdpPayload is < 512 or > 65535) throw new ArgumentOutOfRangeException(nameof(MaxUdpPayload), MaxUdpPayload, "Use 512 to 65535 octets.");
        if (MaxTcpConnections < 1) throw new ArgumentOutOfRangeException(nameof(MaxTcpConnections), MaxTcpConnections, "Allow at least one connection.");
        if (ForwardTimeout <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(ForwardTimeout), ForwardTimeout, "The forward timeout must be positive.");
        if (MaxConcurrentForwards < 1) throw new ArgumentOutOfRangeException(nameof(MaxConcurrentForwards), MaxConcurrentForwards, "Allow at least one forward.");
        if (TcpIdleTimeout <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(TcpIdleTimeout), TcpIdleTimeout, "The idle timeout must be positive.");
    }
}
