using Portolan.Core.Ecs.Snapshots;
using System.Collections.Concurrent;
using System.Collections.Immutable;
using Portolan.Core.Discovery;
using Portolan.Core.Registry;
using Portolan.Storage;

namespace Portolan.Core.Snapshots;

/// <summary>
/// Turns store changes into the next snapshot. Pure: the same snapshot and changes give the same result.
/// Changes are applied parents first (namespaces, services, then instances and health) because keys
/// arrive in key order, where <c>/p/sd/inst/…</c> sorts before <c>/p/sd/svc/…</c>. Children of a parent that
/// is absent are ignored: a parent and its children are only ever removed in one transaction.
/// </summary>
internal static class SnapshotApplier
{
    /// <summary>From this many changes on (a load, a relist), instance and health records are parsed on every core first.</summary>
    internal const int ParallelParseThreshold = 4096;

    public static RegistrySnapshot Apply(RegistrySnapshot snapshot, IReadOnlyList<WatchEvent> events, long revision)
    {
        var work = new Work(snapshot, events.Count >= ParallelParseThreshold ? ParseInParallel(events) : null);
        for (var phase = 0; phase < 3; phase++)
        {
            for (var i = 0; i < events.Count; i++)
            {
                if (PhaseOf(events[i].Kv.Key) == phase) work.Apply(events[i], i);
            }
        }
        return work.Build(revision) with
        {
            LoadBalancing = LoadBalancing.LoadBalancingApplier.Apply(snapshot.LoadBalancing, events),
            Ecs = EcsStateApplier.Apply(snapshot.Ecs, events),
        };
    }

    /// <summary>
    /// Parses the instance and health records of <paramref name="events"/> in parallel (JSON parsing is most of a
    /// load's CPU); the snapshot is still built on one thread, in order.
    /// </summary>
    private static object?[] ParseInParallel(IReadOnlyList<WatchEvent> events)
    {
        var parsed = new object?[events.Count];
        Parallel.ForEach(Partitioner.Create(0, events.Count, 2048), range =>
        {
            for (var i = range.Item1; i < range.Item2; i++)
            {
                var e = events[i];
                if (e.Type != WatchEventType.Put) continue;
                if (e.Kv.Key.StartsWith(StoreKeys.InstancePrefix, StringComparison.Ordinal)) parsed[i] = RecordJson.Deserialize<InstanceRecord>(e.Kv.Value);
                else if (e.Kv.Key.StartsWith(StoreKeys.HealthPrefix, StringComparison.Ordinal)) parsed[i] = RecordJson.Deserialize<InstanceHealth>(e.Kv.Value);
            }
        });
        return parsed;
    }

    private static int PhaseOf(string key)
    {
        if (key.StartsWith(StoreKeys.NamespacePrefix, StringComparison.Ordinal)) return 0;
        if (key.StartsWith(StoreKeys.ServicePrefix, StringComparison.Ordinal)) return 1;
        return 2;
    }

    private sealed class Work(RegistrySnapshot s, object?[]? parsed)
    {
        private readonly ImmutableDictionary<string, NamespaceEntry>.Builder _namespaces = s.Namespaces.ToBuilder();
        private readonly ImmutableDictionary<string, string>.Builder _namespaceNames = s.NamespaceIdsByName.ToBuilder();
        private readonly ImmutableDictionary<string, ServiceEntry>.Builder _services = s.Services.ToBuilder();
        private readonly ImmutableDictionary<string, string>.Builder _serviceNames = s.ServiceIdsByName.ToBuilder();
        private readonly ImmutableDictionary<string, ImmutableSortedDictionary<string, string>>.Builder _tags = s.Tags.ToBuilder();
        private readonly Dictionary<string, ServiceWork> _touched = new(StringComparer.Ordinal);

        /// <param name="index">The change's position, where <c>parsed</c> may hold its record already.</param>
        public void Apply(WatchEvent e, int index)
        {
            var key = e.Kv.Key;
            var put = e.Type == WatchEventType.Put;
            if (key.StartsWith(StoreKeys.NamespacePrefix, StringComparison.Ordinal))
            {
                if (put) PutNamespace(e.Kv); else DeleteNamespace(key[StoreKeys.NamespacePrefix.Length..]);
            }
            else if (key.StartsWith(StoreKeys.ServicePrefix, StringComparison.Ordinal))
            {
                if (put) PutService(e.Kv); else DeleteService(key[StoreKeys.ServicePrefix.Length..]);
            }
            else if (key.StartsWith(StoreKeys.InstancePrefix, StringComparison.Ordinal))
            {
                var (serviceId, instanceId) = StoreKeys.SplitServiceChild(key, StoreKeys.InstancePrefix);
                if (Touch(serviceId) is not { } w) return;
                if (put) w.Instances[instanceId] = new InstanceEntry(parsed?[index] as InstanceRecord ?? RecordJson.Deserialize<InstanceRecord>(e.Kv.Value), e.Kv.ModRevision);
                else w.Instances.Remove(instanceId);
            }
            else if (key.StartsWith(StoreKeys.HealthPrefix, StringComparison.Ordinal))
            {
                var (serviceId, instanceId) = StoreKeys.SplitServiceChild(key, StoreKeys.HealthPrefix);
                if (Touch(serviceId) is not { } w) return;
                if (put) w.Health[instanceId] = parsed?[index] as InstanceHealth ?? RecordJson.Deserialize<InstanceHealth>(e.Kv.Value);
                else w.Health.Remove(instanceId);
            }
            else if (key.StartsWith(StoreKeys.InstancesRevisionPrefix, StringComparison.Ordinal))
            {
                if (put && Touch(key[StoreKeys.InstancesRevisionPrefix.Length..]) is { } w) w.InstancesKeyRevision = e.Kv.ModRevision;
            }
            else if (key.StartsWith(StoreKeys.NamespaceServicesPrefix, StringComparison.Ordinal))
            {
                if (put && _namespaces.TryGetValue(key[StoreKeys.NamespaceServicesPrefix.Length..], out var ns))
                    _namespaces[ns.Id] = ns with { ServicesRevision = e.Kv.ModRevision };
            }
            else if (key.StartsWith(StoreKeys.Tags, StringComparison.Ordinal))
            {
                var arn = key[StoreKeys.Tags.Length..];
                if (put) _tags[arn] = RecordJson.Deserialize<ImmutableSortedDictionary<string, string>>(e.Kv.Value);
                else _tags.Remove(arn);
            }
            // Name indexes (nsname, svcname) exist for compare-and-swap only.
        }

        private void PutNamespace(KeyValue kv)
        {
            var record = RecordJson.Deserialize<NamespaceRecord>(kv.Value);
            var services = _namespaces.TryGetValue(record.Id, out var old) ? old.ServiceIds : ImmutableSortedSet<string>.Empty;
            if (old is not null) _namespaceNames.Remove(old.Record.Name.ToLowerInvariant());
            _namespaces[record.Id] = new NamespaceEntry(record, kv.CreateRevision, kv.ModRevision, services, old?.ServicesRevision ?? 0);
            _namespaceNames[record.Name.ToLowerInvariant()] = record.Id;
        }

        private void DeleteNamespace(string id)
        {
            if (!_namespaces.TryGetValue(id, out var old)) return;
            _namespaces.Remove(id);
            _namespaceNames.Remove(old.Record.Name.ToLowerInvariant());
        }

        private void PutService(KeyValue kv)
        {
            var record = RecordJson.Deserialize<ServiceRecord>(kv.Value);
            if (!_namespaces.TryGetValue(record.NamespaceId, out var ns)) return;
            var entry = _services.TryGetValue(record.Id, out var old)
                ? old with { Record = record, ModRevision = kv.ModRevision }
                : new ServiceEntry(record, kv.CreateRevision, kv.ModRevision,
                    ImmutableSortedDictionary.Create<string, InstanceEntry>(StringComparer.Ordinal),
                    ImmutableDictionary.Create<string, InstanceHealth>(StringComparer.Ordinal), 0);
            _services[record.Id] = entry;
            _serviceNames[NameKey(ns.Record, record.Name)] = record.Id;
            if (old is null) _namespaces[ns.Id] = ns with { ServiceIds = ns.ServiceIds.Add(record.Id) };
        }

        private void DeleteService(string id)
        {
            if (!_services.TryGetValue(id, out var old)) return;
            _services.Remove(id);
            _touched.Remove(id);
            if (_namespaces.TryGetValue(old.Record.NamespaceId, out var ns))
            {
                _serviceNames.Remove(NameKey(ns.Record, old.Record.Name));
                _namespaces[ns.Id] = ns with { ServiceIds = ns.ServiceIds.Remove(id) };
            }
        }

        private static string NameKey(NamespaceRecord ns, string serviceName) =>
            ns.Id + "/" + RegistrySnapshot.ServiceNameKey(ns.IsDns, serviceName);

        private ServiceWork? Touch(string serviceId)
        {
            if (_touched.TryGetValue(serviceId, out var w)) return w;
            if (!_services.TryGetValue(serviceId, out var entry)) return null;
            w = new ServiceWork(entry);
            _touched[serviceId] = w;
            return w;
        }

        public RegistrySnapshot Build(long revision)
        {
            foreach (var (id, w) in _touched)
            {
                _services[id] = w.Build();
            }
            return new RegistrySnapshot
            {
                Revision = revision,
                Namespaces = _namespaces.ToImmutable(),
                NamespaceIdsByName = _namespaceNames.ToImmutable(),
                Services = _services.ToImmutable(),
                ServiceIdsByName = _serviceNames.ToImmutable(),
                Tags = _tags.ToImmutable(),
            };
        }
    }

    private sealed class ServiceWork(ServiceEntry entry)
    {
        public ImmutableSortedDictionary<string, InstanceEntry>.Builder Instances { get; } = entry.Instances.ToBuilder();
        public ImmutableDictionary<string, InstanceHealth>.Builder Health { get; } = entry.Health.ToBuilder();
        public long InstancesKeyRevision { get; set; } = entry.InstancesKeyRevision;

        public ServiceEntry Build() => entry with
        {
            Instances = Instances.ToImmutable(),
            Health = Health.ToImmutable(),
            InstancesKeyRevision = InstancesKeyRevision,
        };
    }
}
