using System.Net;
using System.Net.Sockets;
using Portolan.Core.Discovery;
using Portolan.Dns.Tests.Support;
using Portolan.Dns.Wire;

namespace Portolan.Dns.Tests.Server;

/// <summary>
/// Random and mutated packets, first straight through the pipeline (every reply must be a well-formed message
/// for the same id), then at the live server over UDP, which must keep answering correctly throughout and after.
/// Seeded, so a failure replays; bounded by packet count, so it stops by itself; loopback only.
/// </summary>
[Collection(DnsHostCollection.Name)]
public sealed class FuzzTests(DnsHost host)
{
    private static readonly byte[][] Seeds =
    [
        Query.Build("echoservice.fuzz.test", DnsType.A),
        Query.Build("echoservice.fuzz.test", DnsType.SRV, ednsSize: 4096),
        Query.Build("ECHO-1.echoservice.FUZZ.test", DnsType.A, ednsSize: 512, dnssecOk: true),
        Query.Build("missing.fuzz.test", DnsType.AAAA),
        Query.Build("fuzz.test", DnsType.ANY, ednsSize: 1232),
        Query.Build("example.com", DnsType.A),
        // Compressed names and records after the question.
        [.. Query.Header(7, 0x0100, 1, 1, 0, 1), .. Query.Name("fuzz.test"), 0, 1, 0, 1, 0xC0, 12, 0, 1, 0, 1, 0, 0, 0, 5, 0, 4, 1, 2, 3, 4, .. Query.Opt(1232, options: [0, 10, 0, 8, 1, 2, 3, 4, 5, 6, 7, 8])],
    ];

    private static byte[] Mutant(Random random)
    {
        if (random.Next(4) == 0)
        {
            var noise = new byte[random.Next(0, 600)];
            random.NextBytes(noise);
            if (noise.Length > 2 && random.Next(2) == 0) noise[2] &= 0x7F; // mostly queries, not responses
            return noise;
        }

        var packet = new List<byte>(Seeds[random.Next(Seeds.Length)]);
        var mutations = random.Next(1, 6);
        for (var m = 0; m < mutations && packet.Count > 0; m++)
        {
            var at = random.Next(packet.Count);
            switch (random.Next(7))
            {
                case 0: packet[at] = (byte)random.Next(256); break;
                case 1: packet[at] ^= (byte)(1 << random.Next(8)); break;
                case 2: packet.RemoveRange(at, packet.Count - at); break;
                case 3: packet.InsertRange(at, [0xC0, (byte)random.Next(256)]); break; // a pointer anywhere
                case 4: if (packet.Count >= 12) packet[4 + 2 * random.Next(4) + 1] = (byte)random.Next(256); break; // counts
                case 5: packet.Insert(at, (byte)random.Next(64, 256)); break; // bad label types and lengths
                default: packet.AddRange(Enumerable.Range(0, random.Next(1, 40)).Select(_ => (byte)random.Next(256))); break;
            }
        }

        return [.. packet];
    }

    private async Task<string> SeedAsync(string ns)
    {
        if (host.Host.Services.GetService(typeof(Portolan.Core.Snapshots.ISnapshotSource)) is Portolan.Core.Snapshots.ISnapshotSource s
            && s.Current.FindNamespaceByName(ns) is not null)
        {
            return ns;
        }

        var nsId = await host.NamespaceAsync(ns);
        var svc = await host.ServiceAsync(nsId, "echoservice", RoutingPolicy.Multivalue, false, (RecordType.A, 60), (RecordType.Srv, 60));
        for (var i = 1; i <= 3; i++)
        {
            await host.RegisterAsync(svc, $"echo-{i}", (ReservedAttributes.InstanceIpv4, $"10.0.0.{i}"), (ReservedAttributes.InstancePort, "80"));
        }

        return ns;
    }

    [Fact]
    public void Pipeline_300kMutatedPackets_AlwaysReplyWellFormedOrNothing()
    {
        var b = new SnapshotBuilder();
        var ns = b.Namespace("fuzz.test");
        var svc = b.Service(ns, "echoservice", records: [(RecordType.A, 60), (RecordType.Srv, 60)]);
        for (var i = 1; i <= 10; i++) b.Instance(svc, $"echo-{i}", attributes: [(ReservedAttributes.InstanceIpv4, $"10.0.0.{i}"), (ReservedAttributes.InstancePort, "80")]);
        var responder = new Responder(b.Build());
        var random = new Random(20261124);
        var replies = 0;
        for (var i = 0; i < 300_000; i++)
        {
            var packet = Mutant(random);
            var raw = responder.Raw(packet, overUdp: random.Next(2) == 0);
            if (raw is null) continue;
            replies++;
            var reply = Reply.Parse(raw);
            Assert.Equal((packet[0] << 8) | packet[1], reply.Id);
            Assert.True((reply.Flags & 0x8000) != 0);
            Assert.True(reply.Questions.Count <= 1);
        }

        Assert.True(replies > 100_000, $"only {replies} replies");
    }

    [Fact]
    public async Task Udp_100kRandomAndMutatedPackets_ServerStillAnswersCorrectly()
    {
        await SeedAsync("fuzz.test");
        var random = new Random(7);
        using var attacker = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        attacker.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        var drain = new byte[65535];
        for (var i = 0; i < 100_000; i++)
        {
            await attacker.SendToAsync(Mutant(random), SocketFlags.None, host.EndPoint);
            while (attacker.Available > 0) attacker.Receive(drain);

            // Now and then, a real client must still get a correct answer (this also paces the flood).
            if (i % 2_000 == 1_999) await AssertAnswersAsync();
        }

        await AssertAnswersAsync();
        var tcp = await host.Client(tcpOnly: true).QueryAsync("echoservice.fuzz.test", DnsClient.QueryType.SRV);
        Assert.Equal(3, tcp.Answers.Count);
    }

    private async Task AssertAnswersAsync()
    {
        var reply = await host.Client().QueryAsync("echoservice.fuzz.test", DnsClient.QueryType.A);
        Assert.Equal(["10.0.0.1", "10.0.0.2", "10.0.0.3"], reply.Answers.ARecords().Select(a => a.Address.ToString()).Order());
    }
}
