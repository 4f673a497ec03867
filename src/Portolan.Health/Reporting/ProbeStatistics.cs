using Portolan.Health.Probing;

namespace Portolan.Health.Reporting;

/// <summary>
/// Counters for metrics and the benchmark: probes by outcome, crossings, probes in flight, and the distribution of
/// probe lag (how late a probe started against its schedule) in power-of-two millisecond buckets. Lock-free.
/// </summary>
public sealed class ProbeStatistics
{
    /// <summary>Bucket i counts lags below 2^i ms (bucket 0: under 1 ms); the last bucket is everything above.</summary>
    public const int LagBuckets = 18;

    private readonly long[] _outcomes = new long[Enum.GetValues<ProbeOutcome>().Length];
    private readonly long[] _lag = new long[LagBuckets];
    private long _crossings;
    private long _inFlight;
    private long _writes;
    private long _writeFailures;

    public long Probes
    {
        get
        {
            long sum = 0;
            for (var i = 0; i < _outcomes.Length; i++) sum += Interlocked.Read(ref _outcomes[i]);
            return sum;
        }
    }
    public long Crossings => Interlocked.Read(ref _crossings);
    public long InFlight => Interlocked.Read(ref _inFlight);

    /// <summary>Registry transactions written (each carries a batch of crossings) and ones that failed.</summary>
    public long Writes => Interlocked.Read(ref _writes);
    public long WriteFailures => Interlocked.Read(ref _writeFailures);

    public long CountOf(ProbeOutcome outcome) => Interlocked.Read(ref _outcomes[(int)outcome]);

    /// <summary>Counts per lag bucket: index i = lag in [2^(i-1), 2^i) ms.</summary>
    public long[] LagHistogram()
    {
        var copy = new long[LagBuckets];
        for (var i = 0; i < copy.Length; i++) copy[i] = Interlocked.Read(ref _lag[i]);
        return copy;
    }

    /// <summary>Upper bound (ms) of the bucket holding quantile <paramref name="q"/> of all recorded lags.</summary>
    public double LagQuantileMs(double q)
    {
        var counts = LagHistogram();
        var total = counts.Sum();
        if (total == 0) return 0;
        var rank = (long)Math.Ceiling(q * total);
        long seen = 0;
        for (var i = 0; i < counts.Length; i++)
        {
            seen += counts[i];
            if (seen >= rank) return Math.Pow(2, i);
        }
        return double.PositiveInfinity;
    }

    internal void ProbeStarted(TimeSpan lag)
    {
        Interlocked.Increment(ref _inFlight);
        var ms = lag.TotalMilliseconds;
        var bucket = ms < 1 ? 0 : Math.Min(LagBuckets - 1, (int)Math.Floor(Math.Log2(ms)) + 1);
        Interlocked.Increment(ref _lag[bucket]);
    }

    internal void ProbeEnded(ProbeOutcome outcome)
    {
        Interlocked.Decrement(ref _inFlight);
        Interlocked.Increment(ref _outcomes[(int)outcome]);
    }

    internal void Crossed() => Interlocked.Increment(ref _crossings);

    internal void Wrote(bool ok)
    {
        if (ok) Interlocked.Increment(ref _writes);
        else Interlocked.Increment(ref _writeFailures);
    }
}
