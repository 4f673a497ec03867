using System.Buffers;
using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Portolan.Dns.Server;

/// <summary>
/// Relays queries for names outside Portolan's zones to the configured upstream resolvers, first answer wins
/// (off unless <see cref="DnsServerOptions.Forwarders"/> lists some). Each relayed query goes out from a fresh
/// socket (a random source port) with a random id, and only a reply to that id from that upstream is taken,
/// so an off-path sender can't slip in an answer; the client's id is put back on the way out. This is the cold
/// path: it allocates per query, and it never runs on a receive loop (see <see cref="UdpListener"/>).
/// </summary>
internal sealed partial class UpstreamForwarder(IOptions<DnsServerOptions> options, ILogger<UpstreamForwarder> logger) : IDisposable
{
    private readonly DnsServerOptions _options = options.Value;
    private readonly SemaphoreSlim _slots = new(options.Value.MaxConcurrentForwards, options.Value.MaxConcurrentForwards);

    /// <summary>Takes one of the <see cref="DnsServerOptions.MaxConcurrentForwards"/> slots; false when all are busy.</summary>
    public bool TryAcquire() => _slots.Wait(0);

    public void Release() => _slots.Release();

    public void Dispose() => _slots.Dispose();

    /// <summary>
    /// Sends <paramref name="request"/> to each upstream in turn (UDP or TCP, as the client came) until one
    /// answers within <see cref="DnsServerOptions.ForwardTimeout"/>.
    /// </summary>
    /// <returns>The reply's length in <paramref name="response"/> (with the client's id), or 0 when no upstream answered.</returns>
    public async Task<int> ExchangeAsync(ReadOnlyMemory<byte> request, Memory<byte> response, bool overUdp, CancellationToken ct)
    {
        if (request.Length < 12) return 0;
        var clientId = BinaryPrimitives.ReadUInt16BigEndian(request.Span);
        var id = (ushort)Random.Shared.Next(ushort.MaxValue + 1);
        var query = ArrayPool<byte>.Shared.Rent(request.Length);
        try
        {
            request.CopyTo(query);
            BinaryPrimitives.WriteUInt16BigEndian(query, id);
            foreach (var upstream in _options.Forwarders)
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
                timeout.CancelAfter(_options.ForwardTimeout);
                try
                {
                    var length = overUdp
                        ? await UdpAsync(upstream, query.AsMemory(0, request.Length), response, id, timeout.Token)
                        : await TcpAsync(upstream, query.AsMemory(0, request.Length), response, id, timeout.Token);
                    if (length == 0) continue;
                    BinaryPrimitives.WriteUInt16BigEndian(response.Span, clientId);
                    // Relayed, not authored: not authoritative (AA off), and recursion is what we offered (RA on).
                    response.Span[2] &= unchecked((byte)~0x04);
                    response.Span[3] |= 0x80;
                    return length;
                }
                catch (OperationCanceledException) when (!ct.IsCancellationRequested)
                {
                    LogUpstreamFailed(logger, upstream, "no answer in time");
                }
                catch (SocketException e)
                {
                    LogUpstreamFailed(logger, upstream, e.SocketErrorCode.ToString());
                }
            }

            return 0;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(query);
        }
    }

    private static async Task<int> UdpAsync(IPEndPoint upstream, ReadOnlyMemory<byte> query, Memory<byte> response, ushort id, CancellationToken ct)
    {
        using var socket = new Socket(upstream.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        // Connected: the kernel drops datagrams from anyone but the upstream.
        await socket.ConnectAsync(upstream, ct);
        await socket.SendAsync(query, SocketFlags.None, ct);
        while (true)
        {
            var length = await socket.ReceiveAsync(response, SocketFlags.None, ct);
            if (IsReplyTo(response.Span[..length], id)) return length;
        }
    }

    private static async Task<int> TcpAsync(IPEndPoint upstream, ReadOnlyMemory<byte> query, Memory<byte> response, ushort id, CancellationToken ct)
    {
        using var socket = new Socket(upstream.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(upstream, ct);
        var framed = new byte[2 + query.Length];
        BinaryPrimitives.WriteUInt16BigEndian(framed, (ushort)query.Length);
        query.CopyTo(framed.AsMemory(2));
        await socket.SendAsync(framed, SocketFlags.None, ct);

        var prefix = new byte[2];
        if (!await ReceiveExactlyAsync(socket, prefix, ct)) return 0;
        var length = BinaryPrimitives.ReadUInt16BigEndian(prefix);
        if (length > response.Length || !await ReceiveExactlyAsync(socket, response[..length], ct)) return 0;
        return IsReplyTo(response.Span[..length], id) ? length : 0;
    }

    private static bool IsReplyTo(ReadOnlySpan<byte> reply, ushort id) =>
        reply.Length >= 12 && BinaryPrimitives.ReadUInt16BigEndian(reply) == id && (reply[2] & 0x80) != 0;

    private static async Task<bool> ReceiveExactlyAsync(Socket socket, Memory<byte> buffer, CancellationToken ct)
    {
        while (buffer.Length > 0)
        {
            var read = await socket.ReceiveAsync(buffer, SocketFlags.None, ct);
            if (read == 0) return false;
            buffer = buffer[read..];
        }

        return true;
    }

    [LoggerMessage(DnsEventIds.UpstreamFailed, LogLevel.Warning, "DNS upstream {Upstream} failed: {Reason}.")]
    private static partial void LogUpstreamFailed(ILogger logger, IPEndPoint upstream, string reason);
}
