using System.Net;
using System.Net.Sockets;
using Portolan.Core.Discovery;
using Portolan.Dns.Tests.Support;

namespace Portolan.Dns.Tests.Server;

/// <summary>
/// The UDP receive loops in both I/O modes — batches of datagrams per system call (recvmmsg/sendmmsg, the
/// default on Linux) and one recvfrom/sendto per datagram (every other OS) — over IPv4 and IPv6: bursts from
/// several clients at once, so batches hold datagrams of different peers, must each get their own reply.
/// </summary>
public sealed class UdpLoopTests
{
    private const int Clients = 4;
    private const int QueriesPerClient = 150;

    [Theory]
    [InlineData(32, "127.0.0.1")]
    [InlineData(1, "127.0.0.1")]
    [InlineData(32, "::1")]
    public async Task Burst_EveryDatagramGetsItsOwnReply(int batch, string address)
    {
        await using var host = new DnsHost(o =>
        {
            o.UdpBatchSize = batch;
            o.UdpReceiveLoops = 2;
            o.EndPoint = new IPEndPoint(IPAddress.Parse(address), 0);
        });
        await host.InitializeAsync();
        var ns = await host.NamespaceAsync("burst.test");
        var svc = await host.ServiceAsync(ns, "web", RoutingPolicy.Multivalue, false, (RecordType.A, 60));
        for (var i = 1; i <= 3; i++) await host.RegisterAsync(svc, $"i-{i}", (ReservedAttributes.InstanceIpv4, $"10.0.0.{i}"));

        var clients = Enumerable.Range(0, Clients).Select(_ => new Socket(host.EndPoint.AddressFamily, SocketType.Dgram, ProtocolType.Udp)).ToArray();
        try
        {
            foreach (var c in clients)
            {
                c.Connect(host.EndPoint);
                c.ReceiveTimeout = 5000;
            }

            // Every client sends its whole burst before reading anything: the server sees a full queue.
            for (var q = 0; q < QueriesPerClient; q++)
            {
                for (var c = 0; c < Clients; c++) clients[c].Send(Request(c, q));
            }

            for (var c = 0; c < Clients; c++)
            {
                var seen = new HashSet<ushort>();
                var buffer = new byte[4096];
                for (var n = 0; n < QueriesPerClient; n++)
                {
                    var reply = Reply.Parse(buffer.AsSpan(0, clients[c].Receive(buffer)));
                    Assert.True(seen.Add(reply.Id), $"client {c}: reply {reply.Id} twice");
                    var (client, q) = (reply.Id / 1000, reply.Id % 1000);
                    Assert.Equal(c, client);
                    Assert.Equal(Name(q), reply.Questions.Single().Name.TrimEnd('.'));
                    if (q % 3 == 2)
                    {
                        Assert.Equal(3, reply.RCode);
                    }
                    else
                    {
                        Assert.Equal(0, reply.RCode);
                        Assert.Equal(3, reply.Answers.Count);
                    }
                }
            }
        }
        finally
        {
            foreach (var c in clients) c.Dispose();
        }
    }

    private static string Name(int q) => q % 3 == 2 ? $"missing-{q}.burst.test" : "web.burst.test";

    private static byte[] Request(int client, int q) => Query.Build(Name(q), 1, id: (ushort)(client * 1000 + q));
}
