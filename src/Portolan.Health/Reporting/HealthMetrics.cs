using System.Diagnostics;
using System.Diagnostics.Metrics;
using Portolan.Health.Probing;
using Portolan.Health.Subjects;

namespace Portolan.Health.Reporting;

/// <summary>
/// The engine's instruments on meter <c>Portolan.Health</c> (exported on /metrics with every Portolan.* meter).
/// Counts are observable, read from <see cref="ProbeStatistics"/> when a collector asks; the probe duration and lag
/// histograms are recorded per probe only while someone listens.
/// </summary>
internal sealed class HealthMetrics
{
    public const string MeterName = "Portolan.Health";

    private static readonly ProbeOutcome[] Outcomes = Enum.GetValues<ProbeOutcome>();
    private static readonly string[] OutcomeNames = [.. Outcomes.Select(o => SnakeCase(o.ToString()))];
    private static readonly string[] ProtocolNames = [.. Enum.GetValues<ProbeProtocol>().Select(p => p.ToString().ToLowerInvariant())];

    private readonly Histogram<double> _duration;
    private readonly Histogram<double> _lag;

    public HealthMetrics(IMeterFactory meterFactory, HealthView view)
    {
        var meter = meterFactory.Create(MeterName);
        var stats = view.Statistics;
        _duration = meter.CreateHistogram<double>("portolan.health.probe.duration", "s", "Time a probe took, per protocol and outcome.");
        _lag = meter.CreateHistogram<double>("portolan.health.probe.lag", "s", "How late a probe started against its schedule.");
        meter.CreateObservableCounter("portolan.health.probes", () => ByOutcome(stats), "{probe}", "Probes run, per outcome (success, refused, timeout, ...).");
        meter.CreateObservableCounter("portolan.health.crossings", () => stats.Crossings, "{crossing}", "Threshold crossings (state changes) decided.");
        meter.CreateObservableCounter("portolan.health.writes", () => new Measurement<long>[]
        {
            new(stats.Writes, new KeyValuePair<string, object?>("outcome", "ok")),
            new(stats.WriteFailures, new KeyValuePair<string, object?>("outcome", "failed")),
        }, "{transaction}", "Registry transactions carrying crossings.");
        meter.CreateObservableGauge("portolan.health.subjects", () => (long)view.Count, "{subject}", "Instances and targets this node probes.");
        meter.CreateObservableGauge("portolan.health.probes.in_flight", () => stats.InFlight, "{probe}", "Probes running now.");
    }

    public void Record(ProbeSpec spec, ProbeResult result, TimeSpan lag)
    {
        if (_lag.Enabled) _lag.Record(Math.Max(0, lag.TotalSeconds));
        if (_duration.Enabled)
        {
            _duration.Record(result.Elapsed.TotalSeconds, new TagList
            {
                { "protocol", ProtocolNames[(int)spec.Protocol] },
                { "outcome", OutcomeNames[(int)result.Outcome] },
            });
        }
    }

    /// <summary>WrongGrpcCode → wrong_grpc_code, as Prometheus label values usually read.</summary>
    private static string SnakeCase(string name) =>
        string.Concat(name.Select((c, i) => char.IsUpper(c) ? (i > 0 ? "_" : "") + char.ToLowerInvariant(c) : c.ToString()));

    private static IEnumerable<Measurement<long>> ByOutcome(ProbeStatistics stats)
    {
        for (var i = 0; i < Outcomes.Length; i++)
        {
            yield return new Measurement<long>(stats.CountOf(Outcomes[i]), new KeyValuePair<string, object?>("outcome", OutcomeNames[i]));
        }
    }
}
