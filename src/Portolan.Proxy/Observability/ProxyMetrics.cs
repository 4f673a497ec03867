using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Portolan.Proxy.Observability;

/// <summary>
/// The data plane's instruments on meter <c>Portolan.Proxy</c>. Request counts are observable (read from
/// <see cref="TrafficCounters"/> when a collector asks, nothing extra per request); the duration histogram is
/// recorded per request only while someone listens to it.
/// </summary>
internal sealed class ProxyMetrics
{
    public const string MeterName = "Portolan.Proxy";

    private readonly Histogram<double> _duration;

    public ProxyMetrics(IMeterFactory meterFactory, IProxyStatistics statistics)
    {
        var meter = meterFactory.Create(MeterName);
        _duration = meter.CreateHistogram<double>("portolan.lb.request.duration", "s", "Time from request received to response complete, per listener.");
        meter.CreateObservableCounter("portolan.lb.requests", () => ByStatus(statistics.Listeners, "listener"), "{request}", "Requests answered, per listener and status class.");
        meter.CreateObservableCounter("portolan.lb.target_group.requests", () => ByStatus(statistics.TargetGroups, "target_group"), "{request}", "Requests forwarded, per target group and status class.");
        meter.CreateObservableCounter("portolan.lb.errors", () => Errors(statistics.Listeners), "{request}", "Responses the load balancer made itself (502/503/504), per listener.");
        meter.CreateObservableCounter("portolan.lb.target_group.connection_errors", () => ConnectionErrors(statistics.TargetGroups), "{error}", "Targets that refused, reset or timed out, per target group.");
    }

    public void RecordDuration(TrafficCounters listener, TimeSpan elapsed)
    {
        if (_duration.Enabled) _duration.Record(elapsed.TotalSeconds, new KeyValuePair<string, object?>("listener", listener.Name));
    }

    private static IEnumerable<Measurement<long>> ByStatus(IReadOnlyList<TrafficCounters> all, string kind)
    {
        foreach (var counters in all)
        {
            for (var c = 1; c <= 5; c++)
            {
                var tags = new TagList { { kind, counters.Name }, { "status_class", $"{c}xx" } };
                yield return new Measurement<long>(counters.StatusClass(c), tags);
            }
        }
    }

    private static IEnumerable<Measurement<long>> Errors(IReadOnlyList<TrafficCounters> all)
    {
        foreach (var counters in all) yield return new Measurement<long>(counters.LoadBalancerErrors, new KeyValuePair<string, object?>("listener", counters.Name));
    }

    private static IEnumerable<Measurement<long>> ConnectionErrors(IReadOnlyList<TrafficCounters> all)
    {
        foreach (var counters in all)
        {
            yield return new Measurement<long>(counters.TargetConnectionErrors, new("target_group", counters.Name), new("kind", "connection"));
            yield return new Measurement<long>(counters.TargetTimeouts, new("target_group", counters.Name), new("kind", "timeout"));
        }
    }
}
