using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Portolan.Dns.Zones;

namespace Portolan.Dns.Server;

/// <summary>
/// The DNS server as a hosted service: on start it builds the first zone view (the registry snapshot is loaded
/// by then), binds UDP and TCP on the same port and starts serving; on stop it stops the loops and closes the
/// sockets. It is registered after the registry, so it starts after the snapshot feed and stops before it.
/// </summary>
internal sealed partial class DnsServer(
    ZoneViewFeed views,
    DnsQueryProcessor processor,
    UpstreamForwarder forwarder,
    IOptions<DnsServerOptions> options,
    ILogger<DnsServer> logger) : IHostedService, IDnsServer, IAsyncDisposable
{
    /// <summary>Attempts at finding a port free for both UDP and TCP when the kernel picks it.</summary>
    private const int EphemeralBindAttempts = 16;

    private readonly DnsServerOptions _options = options.Value;
    private UdpListener? _udp;
    private (int Gen0, int Gen1, int Gen2) _gcAtStart;
    private TcpListener? _tcp;

    public IPEndPoint? UdpEndPoint { get; private set; }
    public IPEndPoint? TcpEndPoint { get; private set; }
    public string? StartWarning { get; private set; }
    public long Revision => views.Current.Revision;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _options.Validate();
        Socket[] udp;
        Socket tcp;
        try
        {
            (udp, tcp) = Bind(_options.EndPoint, _options.UdpReceiveLoops);
        }
        catch (IOException e) when (_options.Optional)
        {
            StartWarning = $"{e.Message}; DNS is not served (choose an address with --dns HOST:PORT).";
            LogNotServed(logger, StartWarning);
            return Task.CompletedTask;
        }

        views.Start();
        _udp = new UdpListener(udp, _options.UdpReceiveLoops, _options.UdpBatchSize, processor, forwarder, logger);
        _tcp = new TcpListener(tcp, processor, forwarder, _options, logger);
        UdpEndPoint = _udp.LocalEndPoint;
        TcpEndPoint = _tcp.LocalEndPoint;
        _gcAtStart = (GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2));
        _udp.Start();
        _tcp.Start();
        LogListening(logger, UdpEndPoint, views.Current.ZoneCount);
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        var (udp, tcp) = (_udp, _tcp);
        _udp = null;
        _tcp = null;
        await views.DisposeAsync();
        if (udp is null || tcp is null) return;
        await udp.DisposeAsync();
        await tcp.DisposeAsync();
        var (datagrams, allocated) = udp.Stats;
        LogStopped(logger, UdpEndPoint!, datagrams, allocated,
            GC.CollectionCount(0) - _gcAtStart.Gen0, GC.CollectionCount(1) - _gcAtStart.Gen1, GC.CollectionCount(2) - _gcAtStart.Gen2);
    }

    public async ValueTask DisposeAsync() => await StopAsync(CancellationToken.None);

    /// <summary>Binds UDP, then TCP on the port UDP got; with port 0 it tries again if that TCP port is taken.</summary>
    /// <exception cref="IOException">The address cannot be bound (in use, no permission for port 53, no such address).</exception>
    private static (Socket[] Udp, Socket Tcp) Bind(IPEndPoint endPoint, int udpLoops)
    {
        for (var attempt = 1; ; attempt++)
        {
            Socket[] udp = [];
            try
            {
                udp = UdpListener.Bind(endPoint, udpLoops);
                var port = ((IPEndPoint)udp[0].LocalEndPoint!).Port;
                var tcp = TcpListener.Bind(new IPEndPoint(endPoint.Address, port));
                return (udp, tcp);
            }
            catch (SocketException e) when (endPoint.Port == 0 && e.SocketErrorCode == SocketError.AddressAlreadyInUse && attempt < EphemeralBindAttempts)
            {
                foreach (var socket in udp) socket.Dispose();
            }
            catch (SocketException e)
            {
                foreach (var socket in udp) socket.Dispose();
                throw new IOException($"DNS: cannot listen on {endPoint} (UDP and TCP): {e.Message}", e);
            }
        }
    }

    [LoggerMessage(DnsEventIds.Listening, LogLevel.Information, "DNS listening on {EndPoint} (UDP and TCP), authoritative for {Zones} zones.")]
    private static partial void LogListening(ILogger logger, IPEndPoint endPoint, int zones);

    [LoggerMessage(DnsEventIds.NotServed, LogLevel.Warning, "{Warning}")]
    private static partial void LogNotServed(ILogger logger, string warning);

    // The figures show what serving cost in garbage: the loops' own allocations, and the process's collections
    // (which include the API's and everything else's) while DNS was up.
    [LoggerMessage(DnsEventIds.Stopped, LogLevel.Information,
        "DNS on {EndPoint} stopped after {Datagrams} UDP datagrams; the UDP loops allocated {AllocatedBytes} bytes after start-up; process GC collections meanwhile: gen0 {Gen0}, gen1 {Gen1}, gen2 {Gen2}.")]
    private static partial void LogStopped(ILogger logger, IPEndPoint endPoint, long datagrams, long allocatedBytes, int gen0, int gen1, int gen2);
}
