using System.Net;
using System.Threading.Channels;
using Microsoft.AspNetCore.Connections;

namespace Portolan.Proxy.Listeners;

/// <summary>
/// What a Kestrel endpoint sees when someone else owns the real socket: connections are offered to it (already
/// accepted and classified) and Kestrel's accept loop takes them from here.
/// </summary>
internal sealed class HandOffListener(EndPoint endpoint, Func<ValueTask> unbind) : IConnectionListener
{
    private readonly Channel<ConnectionContext> _accepted = Channel.CreateUnbounded<ConnectionContext>(new UnboundedChannelOptions { SingleReader = false });

    public EndPoint EndPoint { get; } = endpoint;

    /// <summary>False when Kestrel no longer accepts (the caller disposes the connection).</summary>
    public bool Offer(ConnectionContext connection) => _accepted.Writer.TryWrite(connection);

    public void Complete() => _accepted.Writer.TryComplete();

    public async ValueTask<ConnectionContext?> AcceptAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            return await _accepted.Reader.ReadAsync(cancellationToken);
        }
        catch (ChannelClosedException)
        {
            return null;
        }
    }

    public ValueTask UnbindAsync(CancellationToken cancellationToken = default)
    {
        Complete();
        return unbind();
    }

    public async ValueTask DisposeAsync()
    {
        Complete();
        while (_accepted.Reader.TryRead(out var orphan)) await orphan.DisposeAsync();
    }
}
