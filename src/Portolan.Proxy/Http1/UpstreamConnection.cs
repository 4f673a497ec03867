using Portolan.Proxy.Http1.Native;

namespace Portolan.Proxy.Http1;

/// <summary>
/// One connection to a target, owned by one loop: busy with one client's exchange (<see cref="Owner"/>), or idle in
/// its target's <see cref="UpstreamPool"/> (where any event means the target closed it).
/// </summary>
internal sealed unsafe class UpstreamConnection : IEventHandler
{
    private readonly EventLoop _loop;
    private long _token;

    private UpstreamConnection(EventLoop loop, UpstreamPool pool, int fd)
    {
        _loop = loop;
        Pool = pool;
        Fd = fd;
    }

    public int Fd { get; private set; }
    public UpstreamPool Pool { get; }

    /// <summary>The exchange using it; null while idle in the pool.</summary>
    public ClientConnection? Owner { get; set; }

    /// <summary>The TCP handshake is done (connect completed).</summary>
    public bool Connected { get; private set; }

    /// <summary>The connect failed or the connection broke: errno, or 0.</summary>
    public int Error { get; private set; }

    /// <summary>Taken from the pool rather than new: a failure before any response byte may be a close race, worth one retry.</summary>
    public bool Reused { get; set; }

    public bool Readable;
    public bool Writable;
    public bool PeerClosed;
    public IoBuffer In;
    public IoBuffer Out;
    public long IdleSinceMs;
    public long ConnectStartedMs;

    public bool IsClosed => Fd < 0;

    /// <summary>Starts a non-blocking connect; null (with errno in <paramref name="error"/>) when it fails at once.</summary>
    public static UpstreamConnection? Connect(EventLoop loop, UpstreamPool pool, out int error)
    {
        error = 0;
        var fd = Libc.socket(pool.Family, Libc.SOCK_STREAM | Libc.SOCK_NONBLOCK | Libc.SOCK_CLOEXEC, 0);
        if (fd < 0)
        {
            error = Libc.Errno;
            return null;
        }
        var one = 1;
        Libc.setsockopt(fd, Libc.IPPROTO_TCP, Libc.TCP_NODELAY, &one, sizeof(int));
        int result;
        var native = pool.Address!; // only pools of IP targets are used
        fixed (byte* address = native) result = Libc.connect(fd, address, native.Length);
        if (result != 0 && Libc.Errno is var errno && errno != Libc.EINPROGRESS)
        {
            Libc.close(fd);
            error = errno;
            return null;
        }

        var connection = new UpstreamConnection(loop, pool, fd) { Connected = result == 0, Writable = result == 0, ConnectStartedMs = Environment.TickCount64 };
        connection._token = loop.Register(fd, connection, Libc.EPOLLIN | Libc.EPOLLOUT | Libc.EPOLLRDHUP | Libc.EPOLLET);
        return connection;
    }

    public void OnEvents(uint events)
    {
        if ((events & (Libc.EPOLLIN | Libc.EPOLLRDHUP | Libc.EPOLLHUP | Libc.EPOLLERR)) != 0) Readable = true;
        if ((events & (Libc.EPOLLRDHUP | Libc.EPOLLHUP | Libc.EPOLLERR)) != 0) PeerClosed = true;
        if ((events & (Libc.EPOLLOUT | Libc.EPOLLERR | Libc.EPOLLHUP)) != 0)
        {
            Writable = true;
            if (!Connected) CompleteConnect();
        }

        if (Owner is { } owner) owner.OnUpstreamEvents();
        else Pool.OnIdleEvent(this, events);
    }

    /// <summary>The connect's outcome, read once the socket turns writable.</summary>
    private void CompleteConnect()
    {
        int error = 0, length = sizeof(int);
        Libc.getsockopt(Fd, Libc.SOL_SOCKET, Libc.SO_ERROR, &error, &length);
        if (error == 0) Connected = true;
        else Error = error;
    }

    public void MarkFailed(int errno) => Error = errno == 0 ? -1 : errno;

    public void Close()
    {
        if (Fd < 0) return;
        _loop.Unregister(Fd, _token);
        Libc.close(Fd);
        Fd = -1;
        Owner = null;
        In.Release();
        Out.Release();
    }
}
