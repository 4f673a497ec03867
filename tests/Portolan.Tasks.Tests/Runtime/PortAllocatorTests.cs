using System.Net;
using System.Net.Sockets;
using Portolan.Tasks.Runtime;

namespace Portolan.Tasks.Tests.Runtime;

public sealed class PortAllocatorTests
{
    [Fact]
    public void AllocateDynamic_NeverHandsOutAReservedPortTwice()
    {
        var ports = new PortAllocator();
        var given = Enumerable.Range(0, 50).Select(_ => ports.AllocateDynamic("tcp")).ToList();
        Assert.Equal(given.Count, given.Distinct().Count());
        Assert.All(given, p => Assert.InRange(p, 1024, 65535));
        Assert.False(ports.TryReserve(given[0], "tcp"));
        ports.Release(given[0], "tcp");
        Assert.True(ports.TryReserve(given[0], "tcp"));
    }

    [Fact]
    public void TryReserve_FailsForAPortSomeoneListensOn()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var ports = new PortAllocator();
        Assert.False(ports.TryReserve(port, "tcp"));
        // UDP is another port space.
        Assert.True(ports.TryReserve(port, "udp"));
    }
}
