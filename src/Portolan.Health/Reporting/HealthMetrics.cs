using System.Diagnostics.Metrics;
using Portolan.Health.Probing;
using Portolan.Health.Subjects;
using Portolan.Health.Thresholds;

namespace Portolan.Health.Reporting;

/// <summary>
/// Health instruments on the <c>Portolan.Health</c> meter: <c>portolan.health.probe.duration</c> (seconds per probe, by
/// outcome and subject kind; its count is the probes by result) and <c>portolan.health.crossings</c> (threshold
/// crossings by kind and new state). A static meter, as a library's is; recorded once per probe, never on a request path.
/// </summary>
internal static class HealthMetrics
{
    public const string MeterName = "Portolan.Health";

    private static readonly double[] Buckets = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60];
    private static readonly Meter Meter = new(MeterName);
    private static readonly string[] Outcomes = Enum.GetNames<ProbeOutcome>().Select(ToSnakeCase).ToArray();

    private static readonly Histogram<double> ProbeDuration = Meter.CreateHistogram("portolan.health.probe.duration", "s",
        "Health probes by outcome (success, refused, timeout, wrong_status, …) and subject kind (instance, target), with how long each took.",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = Buckets });

    private static readonly Counter<long> Crossings = Meter.CreateCounter<long>("portolan.health.crossings", "{crossing}",
        "Threshold crossings (a subject's state changed after enough probes agreed), by subject kind and new state.");

    public static void Probed(SubjectKind kind, in ProbeResult result)
    {
        if (!ProbeDuration.Enabled) return;
        ProbeDuration.Record(result.Elapsed.TotalSeconds,
            new KeyValuePair<string, object?>("outcome", Outcomes[(int)result.Outcome]),
            new KeyValuePair<string, object?>("kind", Kind(kind)));
    }

    public static void Crossed(HealthCrossing crossing) =>
        Crossings.Add(1, new KeyValuePair<string, object?>("kind", Kind(crossing.Key.Kind)), new KeyValuePair<string, object?>("state", State(crossing.To)));

    private static string Kind(SubjectKind kind) => kind == SubjectKind.Target ? "target" : "instance";

    private static string State(HealthState state) => state switch
    {
        HealthState.Healthy => "healthy",
        HealthState.Unhealthy => "unhealthy",
        _ => state.ToString().ToLowerInvariant(),
    };

    private static string ToSnakeCase(string name) =>
        string.Concat(name.Select((c, i) => char.IsUpper(c) ? (i > 0 ? "_" : "") + char.ToLowerInvariant(c) : c.ToString()));
}
