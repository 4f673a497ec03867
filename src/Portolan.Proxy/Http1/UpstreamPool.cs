using System.Net;
using System.Net.Sockets;
using Portolan.Proxy.Balancing;
using Portolan.Proxy.Http1.Native;

namespace Portolan.Proxy.Http1;

/// <summary>
/// One loop's idle connections to one target (a stack: the most recently used first, so the rest age out). Only
/// the loop's thread touches it. Connections idle longer than <see cref="IdleTimeoutMs"/>, and every connection of a
/// target that is draining or gone, are closed by the loop's sweep.
/// </summary>
internal sealed class UpstreamPool
{
    /// <summary>How long an idle connection to a target is kept (SocketsHttpHandler's PooledConnectionIdleTimeout on the other path).</summary>
    public const int IdleTimeoutMs = 60_000;

    private readonly EventLoop _loop;
    private readonly List<UpstreamConnection> _idle = [];

    public UpstreamPool(EventLoop loop, TargetState target)
    {
        _loop = loop;
        Target = target;
        if (IPAddress.TryParse(target.Host, out var ip))
        {
            var endPoint = new IPEndPoint(ip, target.Port);
            Address = SocketAddresses.ToNative(endPoint);
            Family = ip.AddressFamily == AddressFamily.InterNetworkV6 ? Libc.AF_INET6 : Libc.AF_INET;
        }
    }

    public TargetState Target { get; }

    /// <summary>The target's native address; null when its host is a name (the YARP path resolves those).</summary>
    public byte[]? Address { get; }
    public int Family { get; }

    /// <summary>An idle connection that is still open, or a new one being connected; null with errno when connect failed at once.</summary>
    public UpstreamConnection? Get(ClientConnection owner, out int error)
    {
        error = 0;
        while (_idle.Count > 0)
        {
            var connection = _idle[^1];
            _idle.RemoveAt(_idle.Count - 1);
            if (connection.IsClosed) continue;
            if (connection.PeerClosed || !connection.In.IsEmpty)
            {
                connection.Close();
                continue;
            }
            connection.Owner = owner;
            connection.Reused = true;
            return connection;
        }

        var fresh = UpstreamConnection.Connect(_loop, this, out error);
        if (fresh is not null) fresh.Owner = owner;
        return fresh;
    }

    /// <summary>Takes a connection back after a clean exchange; closes it instead when the target is leaving.</summary>
    public void Return(UpstreamConnection connection)
    {
        connection.Owner = null;
        if (Target.IsRetired || Target.Draining || connection.PeerClosed || !connection.In.IsEmpty || !connection.Out.IsEmpty)
        {
            connection.Close();
            return;
        }
        connection.In.ReleaseIfEmpty();
        connection.Out.ReleaseIfEmpty();
        connection.IdleSinceMs = Environment.TickCount64;
        _idle.Add(connection);
    }

    /// <summary>An idle connection had an event: the target closed it (or sent something unasked): drop it.</summary>
    public void OnIdleEvent(UpstreamConnection connection, uint events)
    {
        if ((events & (Libc.EPOLLIN | Libc.EPOLLRDHUP | Libc.EPOLLHUP | Libc.EPOLLERR)) == 0) return; // a late EPOLLOUT edge
        connection.Close();
        _idle.Remove(connection);
    }

    /// <summary>Closes expired connections; true when the pool is empty and its target gone (the pool can go).</summary>
    public bool Sweep(long nowMs)
    {
        var leaving = Target.IsRetired || Target.Draining;
        for (var i = _idle.Count - 1; i >= 0; i--)
        {
            var connection = _idle[i];
            if (leaving || connection.IsClosed || nowMs - connection.IdleSinceMs > IdleTimeoutMs)
            {
                connection.Close();
                _idle.RemoveAt(i);
            }
        }
        return Target.IsRetired && _idle.Count == 0;
    }

    public void CloseAll()
    {
        foreach (var connection in _idle) connection.Close();
        _idle.Clear();
    }
}
