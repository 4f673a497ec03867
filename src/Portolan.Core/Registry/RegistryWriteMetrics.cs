using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Portolan.Core.Registry;

/// <summary>
/// Registry write instruments on the <c>Portolan.Registry</c> meter, recorded by <see cref="SnapshotCommitter"/> for
/// every registry (Cloud Map, load balancing, ECS): <c>portolan.registry.write.duration</c>, seconds from planning a
/// command to its write being visible in the snapshot, by outcome; <c>portolan.registry.write.conflicts</c>,
/// optimistic-concurrency retries (a compare lost to a concurrent write). A static meter, as a library's is: the
/// commit loop is constructed by registries, not by the container.
/// </summary>
internal static class RegistryWriteMetrics
{
    public const string MeterName = "Portolan.Registry";

    private static readonly double[] Buckets = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
    private static readonly Meter Meter = new(MeterName);

    private static readonly Histogram<double> Duration = Meter.CreateHistogram("portolan.registry.write.duration", "s",
        "Time from planning a registry command to its write being visible to readers, by outcome: committed, unchanged (nothing to write), rejected (invalid), throttled (too many conflicts), failed (store error or cancelled).",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = Buckets });

    private static readonly Counter<long> Conflicts = Meter.CreateCounter<long>("portolan.registry.write.conflicts", "{conflict}",
        "Registry writes planned again because a concurrent write changed what they had checked.");

    public static void Record(string outcome, long started) =>
        Duration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds, new KeyValuePair<string, object?>("outcome", outcome));

    public static void Conflict() => Conflicts.Add(1);
}
