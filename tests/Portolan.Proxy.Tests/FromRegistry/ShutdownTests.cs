using System.Net;
using System.Net.Sockets;
using Portolan.Core.LoadBalancing.Validation;
using Portolan.Proxy.Tests.Support;

namespace Portolan.Proxy.Tests.FromRegistry;

/// <summary>Stopping the server: listeners stop taking connections, requests in flight still get their answers.</summary>
public sealed class ShutdownTests
{
    [Fact]
    public async Task Stop_ClosesThePorts_AndLetsInFlightRequestsFinish()
    {
        await using var backend = await Backend.StartAsync("slow");
        await using var host = await RegistryProxyHost.StartAsync(o => o.ListenerStopTimeout = TimeSpan.FromSeconds(30));
        var lb = await host.LoadBalancerAsync("stop");
        var tg = await host.TargetGroupAsync("stop-tg", backend.Port);
        var listener = await host.ListenerAsync(lb, tg.Arn);
        await host.Registry.RegisterTargetsAsync(tg.Arn, [new TargetDescription("127.0.0.1")]);
        await host.SyncAsync();

        using var client = Clients.Http1();
        var held = client.GetStringAsync(new Uri(host.Url(listener.Arn), "/hold"));
        await backend.Held.Task.WaitAsync(TimeSpan.FromSeconds(30));

        var stopping = host.StopAsync();
        // The port closes first...
        using (var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30)))
        {
            while (await AcceptsAsync(listener.Port)) await Task.Delay(20, timeout.Token);
        }
        Assert.False(stopping.IsCompleted);

        // ...then the request in flight completes, and with it the stop.
        backend.Release.TrySetResult();
        Assert.Equal("slow", await held);
        await stopping.WaitAsync(TimeSpan.FromSeconds(30));
    }

    private static async Task<bool> AcceptsAsync(int port)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            await socket.ConnectAsync(IPAddress.Loopback, port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
