using System.Collections.Concurrent;
using System.Diagnostics;
using Portolan.Proxy.Http1.Native;

namespace Portolan.Proxy.Http1;

/// <summary>Something registered with an <see cref="EventLoop"/>: told of its file descriptor's readiness.</summary>
internal interface IEventHandler
{
    /// <summary>Runs on the loop's thread with the epoll event bits (EPOLLIN, EPOLLOUT, EPOLLERR, EPOLLHUP, EPOLLRDHUP).</summary>
    void OnEvents(uint events);
}

/// <summary>Something a loop checks for timeouts now and then (connections).</summary>
internal interface ITimedHandler
{
    /// <summary>Runs on the loop's thread about every <see cref="EventLoop.SweepIntervalMs"/>; <paramref name="nowMs"/> is <see cref="Environment.TickCount64"/>.</summary>
    void OnSweep(long nowMs);
}

/// <summary>
/// One thread, one epoll set, edge-triggered: the way nginx runs a worker. Handlers run on this thread only, so a
/// connection's state needs no locks; other threads talk to the loop through <see cref="Post"/>. Registration slots
/// carry a generation so an event for a closed (and reused) descriptor never reaches the wrong handler.
/// </summary>
internal sealed unsafe class EventLoop : IDisposable
{
    public const int SweepIntervalMs = 100;
    private const int MaxEvents = 256;

    private readonly int _epoll;
    private readonly int _wakeFd;
    private readonly Thread _thread;
    private readonly ConcurrentQueue<Action> _posted = new();
    private IEventHandler?[] _handlers = new IEventHandler?[256];
    private uint[] _generations = new uint[256];
    private readonly Stack<int> _free = new();
    private int _next = 1; // slot 0 is the wake-up eventfd
    private readonly List<ITimedHandler> _timed = [];
    private long _lastSweep;
    private volatile bool _stopping;

    public EventLoop(int index)
    {
        Index = index;
        _epoll = Libc.epoll_create1(Libc.EFD_CLOEXEC);
        if (_epoll < 0) throw new InvalidOperationException($"epoll_create1 failed: errno {Libc.Errno}");
        _wakeFd = Libc.eventfd(0, Libc.EFD_NONBLOCK | Libc.EFD_CLOEXEC);
        var ev = new Libc.EpollEvent { Events = Libc.EPOLLIN | Libc.EPOLLET, Data = 0 };
        Libc.epoll_ctl(_epoll, Libc.EPOLL_CTL_ADD, _wakeFd, &ev);
        _thread = new Thread(Run) { IsBackground = true, Name = $"portolan-http1-{index}" };
        _thread.Start();
    }

    /// <summary>This loop's place in its group: the index of per-loop state such as target connection pools.</summary>
    public int Index { get; }

    public bool IsOnLoopThread => Environment.CurrentManagedThreadId == _thread.ManagedThreadId;

    /// <summary>Runs <paramref name="action"/> on the loop's thread, soon.</summary>
    public void Post(Action action)
    {
        _posted.Enqueue(action);
        long one = 1;
        Libc.write(_wakeFd, (byte*)&one, 8);
    }

    /// <summary>Adds <paramref name="fd"/> (loop thread only, or before any event can arrive); returns its registration.</summary>
    public long Register(int fd, IEventHandler handler, uint events)
    {
        int slot;
        lock (_free)
        {
            slot = _free.Count > 0 ? _free.Pop() : _next++;
            if (slot >= _handlers.Length)
            {
                Array.Resize(ref _handlers, _handlers.Length * 2);
                Array.Resize(ref _generations, _generations.Length * 2);
            }
            _handlers[slot] = handler;
        }
        var token = ((long)_generations[slot] << 32) | (uint)slot;
        var ev = new Libc.EpollEvent { Events = events, Data = (ulong)token };
        if (Libc.epoll_ctl(_epoll, Libc.EPOLL_CTL_ADD, fd, &ev) != 0)
        {
            var errno = Libc.Errno;
            Release(token);
            throw new InvalidOperationException($"epoll_ctl ADD failed: errno {errno}");
        }
        return token;
    }

    /// <summary>Removes <paramref name="fd"/> from the set (before it is closed or handed on) and frees its slot.</summary>
    public void Unregister(int fd, long token)
    {
        Libc.epoll_ctl(_epoll, Libc.EPOLL_CTL_DEL, fd, null);
        Release(token);
    }

    public void AddTimed(ITimedHandler handler) => _timed.Add(handler);

    public void RemoveTimed(ITimedHandler handler)
    {
        var i = _timed.IndexOf(handler);
        if (i < 0) return;
        _timed[i] = _timed[^1];
        _timed.RemoveAt(_timed.Count - 1);
    }

    public void Dispose()
    {
        _stopping = true;
        Post(static () => { });
        if (!IsOnLoopThread) _thread.Join(TimeSpan.FromSeconds(5));
        Libc.close(_wakeFd);
        Libc.close(_epoll);
    }

    private void Release(long token)
    {
        var slot = (int)(uint)token;
        lock (_free)
        {
            if (_generations[slot] != (uint)(token >> 32)) return;
            _generations[slot]++;
            _handlers[slot] = null;
            _free.Push(slot);
        }
    }

    private void Run()
    {
        var events = new Libc.EpollEvent[MaxEvents];
        while (!_stopping)
        {
            int n;
            fixed (Libc.EpollEvent* e = events) n = Libc.epoll_wait(_epoll, e, MaxEvents, SweepIntervalMs);
            for (var i = 0; i < n; i++)
            {
                var token = (long)events[i].Data;
                var slot = (int)(uint)token;
                if (slot == 0)
                {
                    RunPosted();
                    continue;
                }
                var handler = _handlers[slot];
                if (handler is null || _generations[slot] != (uint)(token >> 32)) continue; // closed meanwhile
                Dispatch(handler, events[i].Events);
            }

            var now = Environment.TickCount64;
            if (now - _lastSweep >= SweepIntervalMs)
            {
                _lastSweep = now;
                for (var i = _timed.Count - 1; i >= 0; i--)
                {
                    if (i < _timed.Count) Sweep(_timed[i], now);
                }
            }
        }
    }

    private void RunPosted()
    {
        long value;
        Libc.read(_wakeFd, (byte*)&value, 8);
        while (_posted.TryDequeue(out var action))
        {
            try
            {
                action();
            }
            catch (Exception e)
            {
                Trace.TraceError($"portolan-http1-{Index}: posted action failed: {e}");
            }
        }
    }

    private void Dispatch(IEventHandler handler, uint events)
    {
        try
        {
            handler.OnEvents(events);
        }
        catch (Exception e)
        {
            // A bug in one connection must not take the loop (and every other connection) down.
            Trace.TraceError($"portolan-http1-{Index}: handler failed: {e}");
        }
    }

    private void Sweep(ITimedHandler handler, long now)
    {
        try
        {
            handler.OnSweep(now);
        }
        catch (Exception e)
        {
            Trace.TraceError($"portolan-http1-{Index}: sweep failed: {e}");
        }
    }
}
