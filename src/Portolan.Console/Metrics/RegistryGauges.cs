using System.Diagnostics.Metrics;
using Portolan.Core.Discovery;
using Portolan.Core.Snapshots;

namespace Portolan.WebConsole.Metrics;

/// <summary>
/// What the registry holds, observed from the current snapshot at scrape time (nothing is counted on the write path):
/// <c>portolan.registry.revision</c>, and the numbers of namespaces, services and instances (by health status).
/// </summary>
internal sealed class RegistryGauges
{
    public const string MeterName = "Portolan.Registry";

    private static readonly string[] HealthNames = ["HEALTHY", "UNHEALTHY", "UNKNOWN"];

    public RegistryGauges(IMeterFactory meterFactory, ISnapshotSource snapshots)
    {
        var meter = meterFactory.Create(MeterName);
        meter.CreateObservableGauge("portolan.registry.revision", () => snapshots.Current.Revision, "{revision}",
            "The store revision of the snapshot every reader (DNS, API, proxy) serves from.");
        meter.CreateObservableGauge("portolan.cloudmap.namespaces", () => (long)snapshots.Current.Namespaces.Count, "{namespace}", "Cloud Map namespaces.");
        meter.CreateObservableGauge("portolan.cloudmap.services", () => (long)snapshots.Current.Services.Count, "{service}", "Cloud Map services.");
        meter.CreateObservableGauge("portolan.cloudmap.instances", () => InstancesByHealth(snapshots.Current), "{instance}",
            "Registered Cloud Map instances by the health status Cloud Map reports (UNKNOWN: the service has no health check, or none reported yet).");
    }

    private static IEnumerable<Measurement<long>> InstancesByHealth(RegistrySnapshot snapshot)
    {
        var counts = new long[HealthNames.Length];
        foreach (var service in snapshot.Services.Values)
        {
            foreach (var id in service.Instances.Keys)
            {
                counts[service.StatusOf(id) switch { HealthStatus.Healthy => 0, HealthStatus.Unhealthy => 1, _ => 2 }]++;
            }
        }

        for (var i = 0; i < counts.Length; i++)
        {
            yield return new Measurement<long>(counts[i], new KeyValuePair<string, object?>("health", HealthNames[i]));
        }
    }
}
