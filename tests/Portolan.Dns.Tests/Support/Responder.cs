using Portolan.Core.Snapshots;
using Portolan.Dns.Server;
using Portolan.Dns.Zones;

namespace Portolan.Dns.Tests.Support;

/// <summary>
/// The server's request pipeline with no sockets, answering from a view built from a hand-made snapshot (the
/// CoreDNS <c>dnstest.Recorder</c> idea): a test sends bytes and reads the decoded reply.
/// </summary>
internal sealed class Responder : IZoneViewSource
{
    private readonly DnsQueryProcessor _processor;
    private readonly Random _random;

    public Responder(RegistrySnapshot snapshot, DnsServerOptions? options = null, int seed = 1)
    {
        Current = ZoneViewBuilder.Build(snapshot, new ZoneViewOptions());
        Options = options ?? new DnsServerOptions();
        _processor = new DnsQueryProcessor(this, Options);
        _random = new Random(seed);
    }

    public ZoneView Current { get; set; }
    public DnsServerOptions Options { get; }

    /// <summary>The raw reply, or null when the server would send nothing.</summary>
    public byte[]? Raw(byte[] request, bool overUdp = true)
    {
        var buffer = new byte[overUdp ? _processor.MinResponseBuffer : 65535];
        var length = _processor.Process(request, buffer, overUdp, _random);
        return length == 0 ? null : buffer[..length];
    }

    public Reply Ask(byte[] request, bool overUdp = true) =>
        Raw(request, overUdp) is { } raw ? Reply.Parse(raw) : throw new InvalidOperationException("No reply.");

    public Reply Ask(string name, ushort type, ushort? ednsSize = null, bool overUdp = true) => Ask(Query.Build(name, type, ednsSize), overUdp);
}
