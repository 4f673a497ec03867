using System.Collections.Immutable;
using Portolan.Core.Discovery;
using Portolan.Core.Discovery.Validation;
using Portolan.Core.Ids;
using Portolan.Core.Snapshots;
using Portolan.Storage;

namespace Portolan.Core.Registry;

public sealed partial class DiscoveryRegistry
{
    public const int MaxServiceAttributes = 30;

    /// <summary>Creates a service and returns it as stored.</summary>
    public Task<ServiceRecord> CreateServiceAsync(CreateServiceCommand cmd, CancellationToken ct = default)
    {
        Names.Service(cmd.Name);
        Names.Description(cmd.Description);
        Names.CreatorRequestId(cmd.CreatorRequestId);
        Tags.Validate(cmd.Tags);
        if (cmd.Tags is { Count: > Tags.MaxPerResource }) throw new RegistryException(ErrorCodes.TooManyTags, $"A service can have at most {Tags.MaxPerResource} tags.");
        if (cmd.NamespaceId is null) throw RegistryException.InvalidInput("NamespaceId is required (as NamespaceId or DnsConfig.NamespaceId).");
        if (cmd.HttpOnly && cmd.DnsConfig is not null) throw RegistryException.InvalidInput("A service of type HTTP can't have DnsConfig.");
        var name = cmd.Name!;

        return CommitAsync(s =>
        {
            var ns = RequireNamespace(s, cmd.NamespaceId);
            if (cmd.CreatorRequestId is { } crid && FindServiceByCreatorRequestId(s, crid) is { } earlier)
            {
                if (earlier.Record.Name == name && earlier.Record.NamespaceId == ns.Id) return new Plan<ServiceRecord>(null, earlier.Record);
                throw new RegistryException(ErrorCodes.ServiceAlreadyExists, $"CreatorRequestId {crid} was already used to create service {earlier.Id}.",
                    Fields(("CreatorRequestId", crid), ("ServiceId", earlier.Id)));
            }
            if (s.FindService(ns, name) is { } existing)
            {
                throw new RegistryException(ErrorCodes.ServiceAlreadyExists, $"Service {name} already exists in namespace {ns.Id}.",
                    Fields(("CreatorRequestId", existing.Record.CreatorRequestId), ("ServiceId", existing.Id)));
            }
            if (cmd.DnsConfig is { } dns) ServiceConfig.Dns(dns, ns.Record);
            ServiceConfig.Health(cmd.HealthCheckConfig, cmd.HealthCheckCustomConfig, cmd.DnsConfig, ns.Record, _options.StrictAws);

            var now = Now();
            var id = ResourceIds.NewServiceId();
            var record = new ServiceRecord
            {
                Id = id, Arn = Arns.Service(id), Name = name, NamespaceId = ns.Id, Description = cmd.Description,
                Type = cmd.DnsConfig is null ? ServiceType.Http : ServiceType.DnsHttp,
                DnsConfig = cmd.DnsConfig,
                HealthCheckConfig = cmd.HealthCheckConfig,
                // AWS reports FailureThreshold 1 whatever is sent ("no longer supported").
                HealthCheckCustomConfig = cmd.HealthCheckCustomConfig is null ? null : new HealthCheckCustomConfig(1),
                CreateDate = now, CreatorRequestId = cmd.CreatorRequestId,
            };
            var nameKey = StoreKeys.ServiceName(ns.Id, RegistrySnapshot.ServiceNameKey(ns.Record.IsDns, name));
            var ops = new List<TxnOp>
            {
                TxnOp.Put(StoreKeys.Service(id), RecordJson.Serialize(record)),
                TxnOp.Put(nameKey, System.Text.Encoding.UTF8.GetBytes(id)),
                TxnOp.Put(StoreKeys.NamespaceServices(ns.Id), System.Text.Encoding.UTF8.GetBytes(id)),
            };
            if (cmd.Tags is { Count: > 0 }) ops.Add(TagsWrite(record.Arn, cmd.Tags));
            return new Plan<ServiceRecord>(new Txn(
                [Compare.CreateRevisionIs(StoreKeys.Namespace(ns.Id), ns.CreateRevision), Compare.Absent(nameKey)], ops), record);
        }, ct);
    }

    /// <summary>Updates a service's description, record TTLs and health check; returns the UPDATE_SERVICE operation id.</summary>
    public Task<string> UpdateServiceAsync(UpdateServiceCommand cmd, CancellationToken ct = default)
    {
        Names.Description(cmd.Description);
        return CommitAsync(s =>
        {
            var svc = RequireService(s, cmd.Id);
            var ns = RequireNamespace(s, svc.Record.NamespaceId);
            var dns = svc.Record.DnsConfig;
            if (cmd.DnsRecords is { } records)
            {
                if (dns is null) throw RegistryException.InvalidInput($"Service {svc.Id} has no DnsConfig to update.");
                var before = dns.DnsRecords.Select(r => r.Type).Order().ToArray();
                var after = records.Select(r => r.Type).Order().ToArray();
                if (!before.SequenceEqual(after)) throw RegistryException.InvalidInput("The record types of a service can't be changed; only their TTLs.");
                dns = dns with { DnsRecords = records };
                ServiceConfig.Dns(dns, ns.Record);
            }
            if (cmd.HealthCheckConfig is not null && svc.Record.HealthCheckCustomConfig is not null)
                throw RegistryException.InvalidInput("The service uses HealthCheckCustomConfig, which can't be replaced by HealthCheckConfig.");
            ServiceConfig.Health(cmd.HealthCheckConfig, null, dns, ns.Record, _options.StrictAws);

            var now = Now();
            var opId = ResourceIds.NewOperationId(now);
            var record = svc.Record with { Description = cmd.Description ?? svc.Record.Description, DnsConfig = dns, HealthCheckConfig = cmd.HealthCheckConfig };
            return new Plan<string>(new Txn([Compare.ModRevisionIs(StoreKeys.Service(svc.Id), svc.ModRevision)],
            [
                TxnOp.Put(StoreKeys.Service(svc.Id), RecordJson.Serialize(record)),
                OperationWrite(opId, OperationType.UpdateService, now, (OperationTargetType.Service, svc.Id)),
            ]), opId);
        }, ct);
    }

    /// <summary>Deletes a service that has no instances.</summary>
    public Task DeleteServiceAsync(string idOrArn, CancellationToken ct = default) =>
        CommitAsync(s =>
        {
            var svc = RequireService(s, idOrArn);
            if (!svc.Instances.IsEmpty)
                throw new RegistryException(ErrorCodes.ResourceInUse, $"Service {svc.Id} has {svc.Instances.Count} registered instance(s); deregister them first.");
            var ns = s.Namespaces[svc.Record.NamespaceId];
            var nameKey = StoreKeys.ServiceName(ns.Id, RegistrySnapshot.ServiceNameKey(ns.Record.IsDns, svc.Record.Name));
            return new Plan<bool>(new Txn(
            [
                Compare.ModRevisionIs(StoreKeys.Service(svc.Id), svc.ModRevision),
                // Every register/deregister touches this key, so an instance registered meanwhile fails the delete.
                Compare.ModRevisionIs(StoreKeys.InstancesRevision(svc.Id), svc.InstancesKeyRevision),
            ],
            [
                TxnOp.Delete(StoreKeys.Service(svc.Id)),
                TxnOp.Delete(nameKey),
                TxnOp.Delete(StoreKeys.InstancesRevision(svc.Id)),
                TxnOp.DeletePrefix(StoreKeys.HealthOf(svc.Id)),
                TxnOp.Delete(StoreKeys.TagsOf(svc.Record.Arn)),
                TxnOp.Put(StoreKeys.NamespaceServices(ns.Id), System.Text.Encoding.UTF8.GetBytes(svc.Id)),
            ]), true);
        }, ct);

    /// <summary>Adds or replaces service attributes (at most 30 in all).</summary>
    public Task UpdateServiceAttributesAsync(string idOrArn, IReadOnlyDictionary<string, string>? attributes, CancellationToken ct = default)
    {
        if (attributes is not { Count: > 0 }) throw RegistryException.InvalidInput("Attributes must have at least one entry.");
        foreach (var (k, v) in attributes)
        {
            if (k.Length is 0 or > 255) throw RegistryException.InvalidInput("Service attribute keys must be 1-255 characters.");
            if (v is null || v.Length > 1024) throw RegistryException.InvalidInput($"Service attribute '{k}' must have a value of at most 1024 characters.");
        }
        return ChangeServiceAttributes(idOrArn, a =>
        {
            var next = a.SetItems(attributes);
            if (next.Count > MaxServiceAttributes)
                throw new RegistryException(ErrorCodes.ServiceAttributesLimitExceeded, $"A service can have at most {MaxServiceAttributes} attributes.");
            return next;
        }, ct);
    }

    /// <summary>Removes service attributes; keys that are not set are ignored.</summary>
    public Task DeleteServiceAttributesAsync(string idOrArn, IReadOnlyList<string>? keys, CancellationToken ct = default)
    {
        if (keys is not { Count: > 0 }) throw RegistryException.InvalidInput("Attributes must list at least one key.");
        return ChangeServiceAttributes(idOrArn, a => a.RemoveRange(keys), ct);
    }

    private Task ChangeServiceAttributes(string idOrArn, Func<ImmutableSortedDictionary<string, string>, ImmutableSortedDictionary<string, string>> change, CancellationToken ct) =>
        CommitAsync(s =>
        {
            var svc = RequireService(s, idOrArn);
            var record = svc.Record with { Attributes = change(svc.Record.Attributes) };
            return new Plan<bool>(new Txn([Compare.ModRevisionIs(StoreKeys.Service(svc.Id), svc.ModRevision)],
                [TxnOp.Put(StoreKeys.Service(svc.Id), RecordJson.Serialize(record))]), true);
        }, ct);

    private static ServiceEntry? FindServiceByCreatorRequestId(RegistrySnapshot s, string creatorRequestId)
    {
        foreach (var svc in s.Services.Values)
        {
            if (svc.Record.CreatorRequestId == creatorRequestId) return svc;
        }
        return null;
    }
}
