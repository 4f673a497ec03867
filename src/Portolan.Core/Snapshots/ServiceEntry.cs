using System.Collections.Immutable;
using Portolan.Core.Discovery;

namespace Portolan.Core.Snapshots;

/// <summary>
/// A service in a snapshot: its record, its instances in id order (stable paging), their health, and
/// <see cref="InstancesKeyRevision"/>, the revision of the service's instance-set key that every register and
/// deregister touches (0 before the first), which deletes compare against.
/// </summary>
public sealed record ServiceEntry(
    ServiceRecord Record,
    long CreateRevision,
    long ModRevision,
    ImmutableSortedDictionary<string, InstanceEntry> Instances,
    ImmutableDictionary<string, InstanceHealth> Health,
    long InstancesKeyRevision)
{
    public string Id => Record.Id;

    /// <summary>DiscoverInstancesRevision: grows on every register and deregister, not on health changes.</summary>
    public long InstancesRevision => Math.Max(InstancesKeyRevision, CreateRevision);

    /// <summary>
    /// The health status an instance reports: its recorded health when the service has a health check,
    /// UNKNOWN when the service has none (as Cloud Map reports it).
    /// </summary>
    public HealthStatus StatusOf(string instanceId)
    {
        if (!Record.HasHealthCheck) return HealthStatus.Unknown;
        return Health.TryGetValue(instanceId, out var h) ? h.Status : HealthStatus.Unknown;
    }
}
