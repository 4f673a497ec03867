namespace Portolan.Proxy.Observability;

/// <summary>
/// Running totals for one listener or target group, bumped with interlocked adds on the request path and read
/// by <see cref="ProxyMetrics"/> (observable instruments) or anyone holding a <see cref="IProxyStatistics"/>.
/// </summary>
public sealed class TrafficCounters(string name)
{
    private long _requests;
    private long _status1xx, _status2xx, _status3xx, _status4xx, _status5xx;
    private long _elbErrors;
    private long _targetConnectionErrors;
    private long _targetTimeouts;
    private long _latencyTicks;

    /// <summary>The listener's or target group's id (ARN).</summary>
    public string Name { get; } = name;

    public long Requests => Volatile.Read(ref _requests);

    /// <summary>Responses by status class, index 1–5 (index 0 unused).</summary>
    public long StatusClass(int hundreds) => hundreds switch
    {
        1 => Volatile.Read(ref _status1xx),
        2 => Volatile.Read(ref _status2xx),
        3 => Volatile.Read(ref _status3xx),
        4 => Volatile.Read(ref _status4xx),
        5 => Volatile.Read(ref _status5xx),
        _ => 0,
    };

    /// <summary>Responses the load balancer made itself because a target could not answer (502/503/504).</summary>
    public long LoadBalancerErrors => Volatile.Read(ref _elbErrors);

    /// <summary>Targets that refused or reset a connection (ALB's TargetConnectionErrorCount).</summary>
    public long TargetConnectionErrors => Volatile.Read(ref _targetConnectionErrors);

    public long TargetTimeouts => Volatile.Read(ref _targetTimeouts);

    /// <summary>Total time spent on requests (for average latency = this / <see cref="Requests"/>).</summary>
    public TimeSpan TotalLatency => TimeSpan.FromTicks(Volatile.Read(ref _latencyTicks));

    internal void Record(int status, TimeSpan latency)
    {
        Interlocked.Increment(ref _requests);
        Interlocked.Add(ref _latencyTicks, latency.Ticks);
        switch (status / 100)
        {
            case 1: Interlocked.Increment(ref _status1xx); break;
            case 2: Interlocked.Increment(ref _status2xx); break;
            case 3: Interlocked.Increment(ref _status3xx); break;
            case 4: Interlocked.Increment(ref _status4xx); break;
            default: Interlocked.Increment(ref _status5xx); break;
        }
    }

    internal void RecordLoadBalancerError() => Interlocked.Increment(ref _elbErrors);

    internal void RecordTargetConnectionError() => Interlocked.Increment(ref _targetConnectionErrors);

    internal void RecordTargetTimeout() => Interlocked.Increment(ref _targetTimeouts);
}
