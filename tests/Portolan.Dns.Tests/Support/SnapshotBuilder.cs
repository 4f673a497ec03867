using System.Collections.Immutable;
using Portolan.Core.Discovery;
using Portolan.Core.Snapshots;

namespace Portolan.Dns.Tests.Support;

/// <summary>Hand-built registry snapshots: zone views are tested without a store, a registry or sockets.</summary>
internal sealed class SnapshotBuilder
{
    private readonly Dictionary<string, NamespaceEntry> _namespaces = [];
    private readonly Dictionary<string, string> _namespaceNames = [];
    private readonly Dictionary<string, ServiceEntry> _services = [];
    private int _next;

    public long Revision { get; set; } = 42;

    public string Namespace(string name, NamespaceType type = NamespaceType.DnsPrivate, long? soaTtl = 15)
    {
        var id = $"ns-{++_next:D4}";
        var record = new NamespaceRecord
        {
            Id = id, Arn = $"arn:aws:servicediscovery:us-east-1:000000000000:namespace/{id}", Name = name, Type = type,
            HttpName = name, CreateDate = DateTimeOffset.UnixEpoch, CreateOperationId = "op", SoaTtl = type == NamespaceType.Http ? null : soaTtl,
        };
        _namespaces[id] = new NamespaceEntry(record, 1, 1, ImmutableSortedSet<string>.Empty);
        _namespaceNames[name.ToLowerInvariant()] = id;
        return id;
    }

    public string Service(string namespaceId, string name, RoutingPolicy policy = RoutingPolicy.Multivalue, bool customHealth = false,
        params (RecordType Type, long Ttl)[] records)
    {
        var id = $"srv-{++_next:D4}";
        var record = new ServiceRecord
        {
            Id = id, Arn = $"arn:aws:servicediscovery:us-east-1:000000000000:service/{id}", Name = name, NamespaceId = namespaceId,
            Type = records.Length == 0 ? ServiceType.Http : ServiceType.DnsHttp, CreateDate = DateTimeOffset.UnixEpoch,
            DnsConfig = records.Length == 0 ? null : new DnsConfig
            {
                RoutingPolicy = policy,
                DnsRecords = [.. records.Select(r => new DnsRecord(r.Type, r.Ttl))],
            },
            HealthCheckCustomConfig = customHealth ? new HealthCheckCustomConfig() : null,
        };
        _services[id] = new ServiceEntry(record, 1, 1,
            ImmutableSortedDictionary.Create<string, InstanceEntry>(StringComparer.Ordinal),
            ImmutableDictionary.Create<string, InstanceHealth>(StringComparer.Ordinal), 0);
        var ns = _namespaces[namespaceId];
        _namespaces[namespaceId] = ns with { ServiceIds = ns.ServiceIds.Add(id) };
        return id;
    }

    public SnapshotBuilder Instance(string serviceId, string instanceId, HealthStatus? health = null, params (string Key, string Value)[] attributes)
    {
        var entry = _services[serviceId];
        var record = new InstanceRecord
        {
            ServiceId = serviceId, Id = instanceId, OperationId = "op", RegisteredAt = DateTimeOffset.UnixEpoch,
            Attributes = attributes.ToImmutableSortedDictionary(a => a.Key, a => a.Value, StringComparer.Ordinal),
        };
        _services[serviceId] = entry with
        {
            Instances = entry.Instances.SetItem(instanceId, new InstanceEntry(record, 2)),
            Health = health is { } h ? entry.Health.SetItem(instanceId, new InstanceHealth(h, DateTimeOffset.UnixEpoch)) : entry.Health,
        };
        return this;
    }

    public SnapshotBuilder Health(string serviceId, string instanceId, HealthStatus status)
    {
        var entry = _services[serviceId];
        _services[serviceId] = entry with { Health = entry.Health.SetItem(instanceId, new InstanceHealth(status, DateTimeOffset.UnixEpoch)) };
        return this;
    }

    public RegistrySnapshot Build() => new()
    {
        Revision = Revision,
        Namespaces = _namespaces.ToImmutableDictionary(),
        NamespaceIdsByName = _namespaceNames.ToImmutableDictionary(),
        Services = _services.ToImmutableDictionary(),
    };
}
