using System.Collections.Immutable;
using Portolan.Core.Ecs.Model;
using Portolan.Core.Registry;
using Portolan.Storage;

namespace Portolan.Core.Ecs.Registry;

public sealed partial class EcsRegistry
{
    /// <summary>Most events kept per service, as ECS keeps them.</summary>
    public const int MaxServiceEvents = 100;

    /// <summary>
    /// The scheduler's write: applies <paramref name="change"/> to the service's current record (null = unchanged) and
    /// adds <paramref name="events"/> (in the order they happened) to the service's events, in one transaction.
    /// </summary>
    public Task<EcsServiceRecord?> UpdateServiceStateAsync(string cluster, string service, Func<EcsServiceRecord, EcsServiceRecord?> change,
        IReadOnlyList<string> events, CancellationToken ct = default) =>
        CommitAsync(s =>
        {
            var stored = s.Ecs.Service(cluster, service);
            if (stored is null) return new Plan<EcsServiceRecord?>(null, null);
            var next = change(stored.Record);
            var changed = next is not null && next != stored.Record;
            if (!changed && events.Count == 0) return new Plan<EcsServiceRecord?>(null, stored.Record);
            var key = EcsStoreKeys.Service(cluster, service);
            var compares = new List<Compare> { Compare.ModRevisionIs(key, stored.ModRevision) };
            var ops = new List<TxnOp>();
            if (changed) ops.Add(Put(key, next!));
            if (events.Count > 0)
            {
                var eventsKey = EcsStoreKeys.Events(cluster, service);
                var current = s.Ecs.Events.GetValueOrDefault(EcsStateKey(cluster, service));
                var list = current?.Record ?? [];
                var now = Now();
                foreach (var message in events) list = list.Insert(0, new ServiceEventRecord(EcsIds.NewUuid(), now, $"(service {service}) {message}"));
                if (list.Count > MaxServiceEvents) list = list.RemoveRange(MaxServiceEvents, list.Count - MaxServiceEvents);
                compares.Add(Compare.ModRevisionIs(eventsKey, current?.ModRevision ?? 0));
                ops.Add(Put(eventsKey, list));
            }
            return new Plan<EcsServiceRecord?>(new Txn(compares, ops), changed ? next : stored.Record);
        }, ct);

    /// <summary>
    /// Forgets STOPPED tasks and INACTIVE services (with their tags and events) older than
    /// <see cref="EcsOptions.StoppedRetention"/>. Returns how many records were removed.
    /// </summary>
    public Task<int> PruneAsync(CancellationToken ct = default) =>
        CommitAsync(s =>
        {
            var cutoff = Now() - _ecs.StoppedRetention;
            var compares = new List<Compare>();
            var ops = new List<TxnOp>();
            foreach (var t in s.Ecs.Tasks.Values)
            {
                if (!t.Record.IsStopped || t.Record.StoppedAt is not { } at || at > cutoff) continue;
                compares.Add(Compare.ModRevisionIs(EcsStoreKeys.Task(t.Record.Id), t.ModRevision));
                ops.Add(TxnOp.Delete(EcsStoreKeys.Task(t.Record.Id)));
                ops.Add(TxnOp.Delete(Core.Registry.StoreKeys.TagsOf(t.Record.Arn)));
                if (ops.Count >= 300) break;
            }
            foreach (var v in s.Ecs.Services.Values)
            {
                var svc = v.Record;
                if (svc.Status != EcsStatus.Inactive || svc.Primary.UpdatedAt > cutoff || ops.Count >= 300) continue;
                compares.Add(Compare.ModRevisionIs(EcsStoreKeys.Service(svc.Cluster, svc.Name), v.ModRevision));
                ops.Add(TxnOp.Delete(EcsStoreKeys.Service(svc.Cluster, svc.Name)));
                ops.Add(TxnOp.Delete(EcsStoreKeys.Events(svc.Cluster, svc.Name)));
                ops.Add(TxnOp.Delete(Core.Registry.StoreKeys.TagsOf(svc.Arn)));
            }
            return new Plan<int>(ops.Count == 0 ? null : new Txn(compares, ops), compares.Count);
        }, ct);

    private static string EcsStateKey(string cluster, string service) => Ecs.Snapshots.EcsState.ServiceKey(cluster, service);
}
