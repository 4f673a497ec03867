using System.Net;

namespace Portolan.Dns.Server;

/// <summary>The running DNS server, as the host and tests see it.</summary>
public interface IDnsServer
{
    /// <summary>The bound UDP address with its real port (the kernel's pick for port 0); null before start.</summary>
    IPEndPoint? UdpEndPoint { get; }

    /// <summary>The bound TCP address; the same port as UDP.</summary>
    IPEndPoint? TcpEndPoint { get; }

    /// <summary>Why DNS is not served, when <see cref="DnsServerOptions.Optional"/> let a failed bind pass; else null.</summary>
    string? StartWarning { get; }

    /// <summary>The registry revision the answers currently reflect.</summary>
    long Revision { get; }
}
