using Portolan.Core.Discovery;
using Portolan.Storage;

namespace Portolan.Core.Registry;

/// <summary>A health decision of the health engine for one instance registration.</summary>
/// <param name="ServiceId">The service.</param>
/// <param name="InstanceId">The instance.</param>
/// <param name="InstanceRevision">The instance's ModRevision the decision was made for: a registration replaced since is left alone.</param>
/// <param name="Status">HEALTHY or UNHEALTHY.</param>
/// <param name="Reason">Why, as the engine classified the probes.</param>
public sealed record InstanceHealthUpdate(string ServiceId, string InstanceId, long InstanceRevision, HealthStatus Status, string? Reason);

public sealed partial class DiscoveryRegistry
{
    /// <summary>
    /// Records the health engine's threshold crossings in one transaction. An update is skipped when its instance is
    /// gone or registered again since, when its service no longer has HealthCheckConfig, or when the status is
    /// already recorded; returns how many were written. Each written update guards its instance's revision.
    /// </summary>
    public Task<int> SetInstancesHealthAsync(IReadOnlyList<InstanceHealthUpdate> updates, CancellationToken ct = default) =>
        CommitAsync(s =>
        {
            var compares = new List<Compare>(updates.Count);
            var ops = new List<TxnOp>(updates.Count);
            var now = Now();
            foreach (var u in updates)
            {
                if (!s.Services.TryGetValue(u.ServiceId, out var svc) || svc.Record.HealthCheckConfig is null) continue;
                if (!svc.Instances.TryGetValue(u.InstanceId, out var instance) || instance.ModRevision != u.InstanceRevision) continue;
                if (svc.Health.TryGetValue(u.InstanceId, out var current) && current.Status == u.Status) continue;
                compares.Add(Compare.ModRevisionIs(StoreKeys.Instance(u.ServiceId, u.InstanceId), instance.ModRevision));
                ops.Add(TxnOp.Put(StoreKeys.Health(u.ServiceId, u.InstanceId), RecordJson.Serialize(new InstanceHealth(u.Status, now, u.Reason))));
            }
            return ops.Count == 0 ? new Plan<int>(null, 0) : new Plan<int>(new Txn(compares, ops), ops.Count);
        }, ct);
}
