using System.Net;
using System.Net.Sockets;

namespace Portolan.Tasks.Runtime;

/// <summary>
/// Host ports for port mappings. A dynamic port (hostPort 0) is one the kernel hands out for a socket bound to port 0
/// (from <c>/proc/sys/net/ipv4/ip_local_port_range</c>, as Docker's bridge does); the socket is closed and the port
/// given to the process, which binds it itself. Ports handed out are remembered until released, so two tasks starting
/// together never get the same one.
/// </summary>
internal sealed class PortAllocator
{
    private readonly HashSet<(int Port, string Protocol)> _reserved = [];
    private readonly Lock _lock = new();

    /// <summary>A free port for <paramref name="protocol"/> (tcp or udp), reserved until <see cref="Release"/>.</summary>
    public int AllocateDynamic(string protocol)
    {
        for (var attempt = 0; attempt < 32; attempt++)
        {
            var port = Probe(protocol, 0) ?? throw new InvalidOperationException($"No free {protocol} port.");
            lock (_lock)
            {
                if (_reserved.Add((port, protocol))) return port;
            }
        }
        throw new InvalidOperationException($"No free {protocol} port after 32 attempts.");
    }

    /// <summary>Reserves a fixed host port; false when it is in use (by anything on the host, or another task).</summary>
    public bool TryReserve(int port, string protocol)
    {
        lock (_lock)
        {
            if (_reserved.Contains((port, protocol))) return false;
        }
        if (Probe(protocol, port) is null) return false;
        lock (_lock)
        {
            return _reserved.Add((port, protocol));
        }
    }

    /// <summary>Marks a port as taken without probing (an adopted task's process already holds it).</summary>
    public void Claim(int port, string protocol)
    {
        lock (_lock) _reserved.Add((port, protocol));
    }

    public void Release(int port, string protocol)
    {
        lock (_lock) _reserved.Remove((port, protocol));
    }

    /// <summary>Binds 0.0.0.0:<paramref name="port"/> to see that it is free; returns the bound port or null.</summary>
    private static int? Probe(string protocol, int port)
    {
        var udp = protocol == "udp";
        using var socket = new Socket(AddressFamily.InterNetwork, udp ? SocketType.Dgram : SocketType.Stream, udp ? ProtocolType.Udp : ProtocolType.Tcp);
        // Servers set SO_REUSEADDR, so a port whose last connections linger in TIME_WAIT is free for them; probe the same way.
        if (!udp) socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        try
        {
            socket.Bind(new IPEndPoint(IPAddress.Any, port));
            return ((IPEndPoint)socket.LocalEndPoint!).Port;
        }
        catch (SocketException)
        {
            return null;
        }
    }
}
