using System.Collections.Concurrent;
using System.Net.Http;
using System.Net.Sockets;

namespace Portolan.Health.Probing;

/// <summary>
/// The probe connections open to each target (host and port), made through the HTTP handlers' connect callback, so
/// that a target's pooled connection is closed the moment the scheduler stops probing it. Left in the pool it would
/// stay up to the idle timeout (90 s), and a draining ECS task, which waits until nothing is connected to its port,
/// would wait that long for a health checker that no longer checks it.
/// </summary>
internal sealed class ProbeConnections
{
    private readonly ConcurrentDictionary<(string Host, int Port), ConcurrentDictionary<TrackedStream, byte>> _open = new();

    public async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken ct)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(context.DnsEndPoint, ct);
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        var stream = new TrackedStream(socket, this, Key(context.DnsEndPoint.Host, context.DnsEndPoint.Port));
        _open.GetOrAdd(stream.Key, static _ => new()).TryAdd(stream, 0);
        return stream;
    }

    /// <summary>How many probe connections are open to the target (for tests).</summary>
    public int OpenTo(string host, int port) => _open.TryGetValue(Key(host, port), out var streams) ? streams.Count : 0;

    /// <summary>Closes every probe connection to the target; a later probe connects again.</summary>
    public void Close(string host, int port)
    {
        if (!_open.TryRemove(Key(host, port), out var streams)) return;
        foreach (var stream in streams.Keys) stream.Dispose();
    }

    private void Closed(TrackedStream stream)
    {
        if (_open.TryGetValue(stream.Key, out var streams)) streams.TryRemove(stream, out _);
    }

    private static (string, int) Key(string host, int port) => (host.Trim('[', ']'), port);

    private sealed class TrackedStream(Socket socket, ProbeConnections owner, (string, int) key) : NetworkStream(socket, ownsSocket: true)
    {
        public (string, int) Key { get; } = key;

        protected override void Dispose(bool disposing)
        {
            if (disposing) owner.Closed(this);
            base.Dispose(disposing);
        }
    }
}
