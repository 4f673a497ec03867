using System.Net;
using System.Net.Sockets;

namespace Portolan.Testing;

/// <summary>Loopback TCP ports for listeners a test asks a server to open (e.g. with create-listener).</summary>
public static class FreePorts
{
    /// <summary>A port the kernel just handed out on 127.0.0.1 and took back: free unless something races for it.</summary>
    public static int Next()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)socket.LocalEndPoint!).Port;
    }
}
