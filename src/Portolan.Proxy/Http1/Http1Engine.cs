using Portolan.Proxy.Balancing;

namespace Portolan.Proxy.Http1;

/// <summary>
/// The HTTP/1.1 fast path's threads: one <see cref="EventLoop"/> per core, shared by every listener of the
/// process (listeners come and go; the loops stay), each with its own target connection pools.
/// </summary>
internal sealed class Http1Engine
{
    private static readonly Lazy<Http1Engine> SharedEngine = new(() => new Http1Engine(Math.Clamp(Environment.ProcessorCount, 1, 16)));
    private readonly LoopPools[] _pools;

    private Http1Engine(int loops)
    {
        Loops = new EventLoop[loops];
        _pools = new LoopPools[loops];
        for (var i = 0; i < loops; i++)
        {
            Loops[i] = new EventLoop(i);
            _pools[i] = new LoopPools(Loops[i]);
            Loops[i].AddTimed(_pools[i]);
        }
    }

    /// <summary>The process's engine, started at first use.</summary>
    public static Http1Engine Shared => SharedEngine.Value;

    /// <summary>Whether the fast path can run here: it speaks to Linux's epoll directly.</summary>
    public static bool IsSupported => OperatingSystem.IsLinux();

    public EventLoop[] Loops { get; }

    /// <summary>The pool of <paramref name="loop"/>'s connections to <paramref name="target"/> (loop thread only).</summary>
    public UpstreamPool PoolFor(EventLoop loop, TargetState target) => _pools[loop.Index].For(target);

    /// <summary>One loop's pools, by target; pools of targets that are gone are dropped by the sweep.</summary>
    private sealed class LoopPools(EventLoop loop) : ITimedHandler
    {
        private const int SweepEveryMs = 500;
        private readonly Dictionary<TargetState, UpstreamPool> _pools = new(ReferenceEqualityComparer.Instance);
        private readonly List<TargetState> _gone = [];
        private long _lastSweep;

        public UpstreamPool For(TargetState target)
        {
            if (!_pools.TryGetValue(target, out var pool)) _pools[target] = pool = new UpstreamPool(loop, target);
            return pool;
        }

        public void OnSweep(long nowMs)
        {
            if (nowMs - _lastSweep < SweepEveryMs) return;
            _lastSweep = nowMs;
            foreach (var (target, pool) in _pools)
            {
                if (pool.Sweep(nowMs)) _gone.Add(target);
            }
            foreach (var target in _gone) _pools.Remove(target);
            _gone.Clear();
        }
    }
}
