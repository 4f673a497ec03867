using System.Diagnostics.Metrics;
using Portolan.Health.Reporting;

namespace Portolan.WebConsole.Metrics;

/// <summary>
/// The health engine's state, observed at scrape time from its <see cref="HealthView"/>: subjects probed on this node,
/// probes in flight, and registry writes of crossings by result. (Probes by outcome with their duration, and the
/// crossings themselves, are recorded by the engine on the <c>Portolan.Health</c> meter.)
/// </summary>
internal sealed class HealthGauges
{
    public HealthGauges(IMeterFactory meterFactory, HealthView view)
    {
        var meter = meterFactory.Create(HealthMetricsName);
        var statistics = view.Statistics;
        meter.CreateObservableGauge("portolan.health.subjects", () => (long)view.Count, "{subject}", "Subjects (instances, targets) probed on this node.");
        meter.CreateObservableGauge("portolan.health.probes.in_flight", () => statistics.InFlight, "{probe}", "Probes running now.");
        meter.CreateObservableCounter("portolan.health.crossing_writes", () => new[]
        {
            new Measurement<long>(statistics.Writes, new KeyValuePair<string, object?>("result", "ok")),
            new Measurement<long>(statistics.WriteFailures, new KeyValuePair<string, object?>("result", "failed")),
        }, "{write}", "Registry transactions that wrote batches of threshold crossings, by result.");
    }

    private const string HealthMetricsName = "Portolan.Health";
}
