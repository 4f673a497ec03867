using System.Net;
using System.Net.Sockets;
using Portolan.Proxy.Http1.Native;
using Portolan.Proxy.Listeners;
using Portolan.Proxy.Observability;

namespace Portolan.Proxy.Http1;

/// <summary>
/// A cleartext listener's socket on the fast path: registered with every loop of the engine (EPOLLEXCLUSIVE, so
/// one loop wakes per connection), each connection served by the loop that accepted it.
/// </summary>
internal sealed class Http1Listener : IDisposable
{
    private readonly Socket _socket;
    private readonly int _fd;
    private readonly Acceptor[] _acceptors;
    private int _connections;
    private int _stopped;
    private int _nextLoop;

    public Http1Listener(
        IPEndPoint endpoint,
        ListenerRuntime runtime,
        Http1Engine engine,
        FastPathListenerFactory handOff,
        ProxyOptions options,
        TimeProvider time,
        ProxyMetrics metrics,
        AccessLog accessLog)
    {
        Runtime = runtime;
        Engine = engine;
        HandOffTo = handOff;
        Options = options;
        Time = time;
        Metrics = metrics;
        AccessLog = accessLog;

        _socket = new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            if (endpoint.Address.Equals(IPAddress.IPv6Any)) _socket.DualMode = true;
            _socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            _socket.Bind(endpoint);
            _socket.Listen(512);
            _socket.Blocking = false;
        }
        catch
        {
            _socket.Dispose();
            throw;
        }
        EndPoint = (IPEndPoint)_socket.LocalEndPoint!;
        LocalPort = EndPoint.Port;
        _fd = (int)_socket.SafeHandle.DangerousGetHandle();
        _acceptors = [.. engine.Loops.Select(loop => new Acceptor(this, loop))];
    }

    public IPEndPoint EndPoint { get; }
    public int LocalPort { get; }
    public ListenerRuntime Runtime { get; }
    public Http1Engine Engine { get; }
    public FastPathListenerFactory HandOffTo { get; }
    public ProxyOptions Options { get; }
    public TimeProvider Time { get; }
    public ProxyMetrics Metrics { get; }
    public AccessLog AccessLog { get; }

    /// <summary>The listener is going: idle connections close, busy ones finish their request.</summary>
    public bool Stopping { get; private set; }

    /// <summary>When stopping, the moment (<see cref="Environment.TickCount64"/>) still-open connections are cut.</summary>
    public long StopDeadlineMs { get; private set; } = long.MaxValue;

    public int Connections => Volatile.Read(ref _connections);

    /// <summary>Starts accepting on every loop.</summary>
    public void Start()
    {
        foreach (var acceptor in _acceptors) acceptor.Loop.Post(acceptor.Register);
    }

    /// <summary>Stops accepting and closes the socket (connections already accepted go on).</summary>
    public async ValueTask StopAcceptingAsync()
    {
        if (Interlocked.Exchange(ref _stopped, 1) != 0) return;
        var done = _acceptors.Select(a =>
        {
            var unregistered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            a.Loop.Post(() =>
            {
                a.Unregister();
                unregistered.TrySetResult();
            });
            return unregistered.Task;
        });
        await Task.WhenAll(done);
        _socket.Dispose();
    }

    /// <summary>Lets in-flight requests finish for up to <paramref name="grace"/>, closing idle connections now and the rest then.</summary>
    public async Task DrainAsync(TimeSpan grace)
    {
        await StopAcceptingAsync();
        StopDeadlineMs = Environment.TickCount64 + (long)grace.TotalMilliseconds;
        Stopping = true;
        // The loops' sweeps close what is idle and, at the deadline, everything else.
        while (Connections > 0 && Environment.TickCount64 < StopDeadlineMs + 1000) await Task.Delay(20);
    }

    public void Dispose() => _socket.Dispose();

    /// <summary>
    /// Gives a new connection to the loops in turn. EPOLLEXCLUSIVE wakes one loop per connection but not evenly: an
    /// idle loop near the head of the socket's wait queue takes a burst of connections alone, and then one core
    /// serves what two could (measured: 64 keep-alive connections → 67–97k req/s depending on the split).
    /// </summary>
    private void Assign(int fd, IPEndPoint? remote, EventLoop accepting)
    {
        var loops = Engine.Loops;
        var loop = loops[(int)((uint)Interlocked.Increment(ref _nextLoop) % (uint)loops.Length)];
        if (loop == accepting) new ClientConnection(loop, this, fd, remote).Start();
        else loop.Post(() => new ClientConnection(loop, this, fd, remote).Start());
    }

    public void Opened() => Interlocked.Increment(ref _connections);

    public void Closed() => Interlocked.Decrement(ref _connections);

    /// <summary>This listener on one loop: accepts what that loop is woken for.</summary>
    private sealed unsafe class Acceptor(Http1Listener owner, EventLoop loop) : IEventHandler
    {
        private long _token = -1;

        public EventLoop Loop { get; } = loop;

        public void Register()
        {
            if (Volatile.Read(ref owner._stopped) != 0) return;
            _token = Loop.Register(owner._fd, this, Libc.EPOLLIN | Libc.EPOLLEXCLUSIVE);
        }

        public void Unregister()
        {
            if (_token < 0) return;
            Loop.Unregister(owner._fd, _token);
            _token = -1;
        }

        public void OnEvents(uint events)
        {
            Span<byte> address = stackalloc byte[Libc.SockaddrSize];
            for (var i = 0; i < 64 && _token >= 0; i++)
            {
                int fd, length = Libc.SockaddrSize;
                fixed (byte* a = address) fd = Libc.accept4(owner._fd, a, &length, Libc.SOCK_NONBLOCK | Libc.SOCK_CLOEXEC);
                if (fd < 0) return; // EAGAIN: another loop took it, or nothing left; EMFILE etc.: try at the next wake-up
                var one = 1;
                Libc.setsockopt(fd, Libc.IPPROTO_TCP, Libc.TCP_NODELAY, &one, sizeof(int));
                var remote = SocketAddresses.FromNative(address, length);
                owner.Assign(fd, remote, Loop);
            }
        }
    }
}
