using System.Collections.Immutable;
using Portolan.Core.Ecs.Model;
using Portolan.Core.Ecs.Registry;
using Portolan.Storage;

namespace Portolan.Core.Ecs.Snapshots;

/// <summary>
/// Applies store changes under <c>/p/ecs/</c> to the ECS section. Pure, and returns the same instance when a batch
/// holds no ECS change, so Cloud Map-only batches cost one scan of their keys.
/// </summary>
internal static class EcsStateApplier
{
    public static EcsState Apply(EcsState state, IReadOnlyList<WatchEvent> events)
    {
        Work? work = null;
        foreach (var e in events)
        {
            if (!e.Kv.Key.StartsWith(EcsStoreKeys.Root, StringComparison.Ordinal)) continue;
            work ??= new Work(state);
            work.Apply(e);
        }
        return work?.Build() ?? state;
    }

    private sealed class Work(EcsState s)
    {
        private readonly ImmutableDictionary<string, Stored<ClusterRecord>>.Builder _clusters = s.Clusters.ToBuilder();
        private readonly ImmutableDictionary<string, ImmutableSortedDictionary<int, Stored<TaskDefinitionRecord>>>.Builder _families = s.Families.ToBuilder();
        private readonly ImmutableDictionary<string, Stored<EcsServiceRecord>>.Builder _services = s.Services.ToBuilder();
        private readonly ImmutableDictionary<string, Stored<TaskRecord>>.Builder _tasks = s.Tasks.ToBuilder();
        private readonly ImmutableDictionary<string, Stored<ImmutableList<ServiceEventRecord>>>.Builder _events = s.Events.ToBuilder();
        private readonly ImmutableDictionary<string, long>.Builder _members = s.MemberRevisions.ToBuilder();

        public void Apply(WatchEvent e)
        {
            var kv = e.Kv;
            var key = kv.Key;
            var put = e.Type == WatchEventType.Put;
            if (key.StartsWith(EcsStoreKeys.TaskPrefix, StringComparison.Ordinal))
                Set(_tasks, key[EcsStoreKeys.TaskPrefix.Length..], put, kv);
            else if (key.StartsWith(EcsStoreKeys.ServicePrefix, StringComparison.Ordinal))
                Set(_services, key[EcsStoreKeys.ServicePrefix.Length..], put, kv);
            else if (key.StartsWith(EcsStoreKeys.EventsPrefix, StringComparison.Ordinal))
                Set(_events, key[EcsStoreKeys.EventsPrefix.Length..], put, kv);
            else if (key.StartsWith(EcsStoreKeys.ClusterPrefix, StringComparison.Ordinal))
                Set(_clusters, key[EcsStoreKeys.ClusterPrefix.Length..], put, kv);
            else if (key.StartsWith(EcsStoreKeys.TaskDefinitionPrefix, StringComparison.Ordinal))
                SetTaskDefinition(key[EcsStoreKeys.TaskDefinitionPrefix.Length..], put, kv);
            else if (key.StartsWith(EcsStoreKeys.MembersPrefix, StringComparison.Ordinal))
            {
                if (put) _members[key[EcsStoreKeys.MembersPrefix.Length..]] = kv.ModRevision;
                else _members.Remove(key[EcsStoreKeys.MembersPrefix.Length..]);
            }
        }

        private static void Set<T>(ImmutableDictionary<string, Stored<T>>.Builder map, string id, bool put, KeyValue kv)
        {
            if (put) map[id] = new Stored<T>(EcsRecordJson.Deserialize<T>(kv.Value), kv.CreateRevision, kv.ModRevision);
            else map.Remove(id);
        }

        private void SetTaskDefinition(string rest, bool put, KeyValue kv)
        {
            var slash = rest.LastIndexOf('/');
            var family = rest[..slash];
            var revision = int.Parse(rest.AsSpan(slash + 1), System.Globalization.CultureInfo.InvariantCulture);
            var revisions = _families.GetValueOrDefault(family) ?? ImmutableSortedDictionary<int, Stored<TaskDefinitionRecord>>.Empty;
            revisions = put
                ? revisions.SetItem(revision, new Stored<TaskDefinitionRecord>(EcsRecordJson.Deserialize<TaskDefinitionRecord>(kv.Value), kv.CreateRevision, kv.ModRevision))
                : revisions.Remove(revision);
            if (revisions.IsEmpty) _families.Remove(family);
            else _families[family] = revisions;
        }

        public EcsState Build() => new()
        {
            Clusters = _clusters.ToImmutable(),
            Families = _families.ToImmutable(),
            Services = _services.ToImmutable(),
            Tasks = _tasks.ToImmutable(),
            Events = _events.ToImmutable(),
            MemberRevisions = _members.ToImmutable(),
        };
    }
}
