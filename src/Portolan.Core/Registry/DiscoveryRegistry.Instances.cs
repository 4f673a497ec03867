using System.Collections.Immutable;
using Portolan.Core.Discovery;
using Portolan.Core.Discovery.Validation;
using Portolan.Core.Ids;
using Portolan.Storage;

namespace Portolan.Core.Registry;

public sealed partial class DiscoveryRegistry
{
    /// <summary>
    /// Registers an instance, or replaces the attributes of an existing one; returns the REGISTER_INSTANCE
    /// operation id. A retry with the same CreatorRequestId and attributes returns the first operation.
    /// </summary>
    public Task<string> RegisterInstanceAsync(RegisterInstanceCommand cmd, CancellationToken ct = default)
    {
        Names.Instance(cmd.InstanceId);
        Names.CreatorRequestId(cmd.CreatorRequestId);
        var attributes = cmd.Attributes.ToImmutableSortedDictionary(StringComparer.Ordinal);

        return CommitAsync(s =>
        {
            var svc = RequireService(s, cmd.ServiceId);
            var ns = s.Namespaces[svc.Record.NamespaceId];
            svc.Instances.TryGetValue(cmd.InstanceId, out var existing);
            if (existing is not null && cmd.CreatorRequestId is not null && existing.Record.CreatorRequestId == cmd.CreatorRequestId)
            {
                if (existing.Record.Attributes.SequenceEqual(attributes)) return new Plan<string>(null, existing.Record.OperationId);
                throw new RegistryException(ErrorCodes.DuplicateRequest, $"CreatorRequestId {cmd.CreatorRequestId} was already used to register instance {cmd.InstanceId} with other attributes.",
                    new Dictionary<string, string> { ["DuplicateOperationId"] = existing.Record.OperationId });
            }
            Attributes.Validate(attributes, svc.Record, ns.Record);
            var max = _options.EffectiveMaxInstancesPerService;
            if (existing is null && max > 0 && svc.Instances.Count >= max)
                throw new RegistryException(ErrorCodes.ResourceLimitExceeded, $"Service {svc.Id} already has the maximum of {max} instances.");

            var now = Now();
            var opId = ResourceIds.NewOperationId(now);
            var record = new InstanceRecord
            {
                ServiceId = svc.Id, Id = cmd.InstanceId, CreatorRequestId = cmd.CreatorRequestId,
                Attributes = attributes, OperationId = opId, RegisteredAt = now,
            };
            var ops = new List<TxnOp>(5)
            {
                TxnOp.Put(StoreKeys.Instance(svc.Id, cmd.InstanceId), RecordJson.Serialize(record)),
                TxnOp.Put(StoreKeys.InstancesRevision(svc.Id), System.Text.Encoding.UTF8.GetBytes(cmd.InstanceId)),
                OperationWrite(opId, OperationType.RegisterInstance, now,
                    (OperationTargetType.Namespace, ns.Id), (OperationTargetType.Service, svc.Id), (OperationTargetType.Instance, cmd.InstanceId)),
            };
            if (InitialHealth(svc.Record, attributes) is { } status)
                ops.Add(TxnOp.Put(StoreKeys.Health(svc.Id, cmd.InstanceId), RecordJson.Serialize(new InstanceHealth(status, now, "Registered"))));
            // The service must still be the one validated against; other instances may come and go.
            return new Plan<string>(new Txn([Compare.CreateRevisionIs(StoreKeys.Service(svc.Id), svc.CreateRevision)], ops), opId);
        }, ct);
    }

    /// <summary>Deregisters an instance; returns the DEREGISTER_INSTANCE operation id.</summary>
    public Task<string> DeregisterInstanceAsync(string serviceIdOrArn, string instanceId, CancellationToken ct = default) =>
        CommitAsync(s =>
        {
            var svc = RequireService(s, serviceIdOrArn);
            if (!svc.Instances.TryGetValue(instanceId, out var instance))
                throw new RegistryException(ErrorCodes.InstanceNotFound, $"Instance {instanceId} not found in service {svc.Id}.");
            var now = Now();
            var opId = ResourceIds.NewOperationId(now);
            return new Plan<string>(new Txn([Compare.ModRevisionIs(StoreKeys.Instance(svc.Id, instanceId), instance.ModRevision)],
            [
                TxnOp.Delete(StoreKeys.Instance(svc.Id, instanceId)),
                TxnOp.Delete(StoreKeys.Health(svc.Id, instanceId)),
                TxnOp.Put(StoreKeys.InstancesRevision(svc.Id), System.Text.Encoding.UTF8.GetBytes(instanceId)),
                OperationWrite(opId, OperationType.DeregisterInstance, now,
                    (OperationTargetType.Namespace, svc.Record.NamespaceId), (OperationTargetType.Service, svc.Id), (OperationTargetType.Instance, instanceId)),
            ]), opId);
        }, ct);

    /// <summary>Sets the custom health of an instance of a service with HealthCheckCustomConfig. Takes effect at once.</summary>
    public Task UpdateInstanceCustomHealthStatusAsync(string serviceIdOrArn, string instanceId, HealthStatus status, CancellationToken ct = default)
    {
        if (status == HealthStatus.Unknown) throw RegistryException.InvalidInput("Status must be HEALTHY or UNHEALTHY.");
        return CommitAsync(s =>
        {
            var svc = RequireService(s, serviceIdOrArn);
            if (!svc.Instances.ContainsKey(instanceId))
                throw new RegistryException(ErrorCodes.InstanceNotFound, $"Instance {instanceId} not found in service {svc.Id}.");
            if (svc.Record.HealthCheckCustomConfig is null)
                throw new RegistryException(ErrorCodes.CustomHealthNotFound, $"Service {svc.Id} has no HealthCheckCustomConfig.");
            if (svc.Health.TryGetValue(instanceId, out var current) && current.Status == status) return new Plan<bool>(null, true);
            return SetHealthPlan(svc.Id, instanceId, new InstanceHealth(status, Now(), "Custom health status set through the API"));
        }, ct);
    }

    /// <summary>
    /// Records a health decision for an instance (the health engine's entry point). Writes only when the status
    /// changes, and only while the instance is registered.
    /// </summary>
    public Task SetInstanceHealthAsync(string serviceId, string instanceId, HealthStatus status, string? reason, CancellationToken ct = default) =>
        CommitAsync(s =>
        {
            if (!s.Services.TryGetValue(serviceId, out var svc) || !svc.Instances.ContainsKey(instanceId)) return new Plan<bool>(null, false);
            if (svc.Health.TryGetValue(instanceId, out var current) && current.Status == status) return new Plan<bool>(null, true);
            return SetHealthPlan(serviceId, instanceId, new InstanceHealth(status, Now(), reason));
        }, ct);

    private static Plan<bool> SetHealthPlan(string serviceId, string instanceId, InstanceHealth health) =>
        new(new Txn([Compare.Exists(StoreKeys.Instance(serviceId, instanceId))],
            [TxnOp.Put(StoreKeys.Health(serviceId, instanceId), RecordJson.Serialize(health))]), true);

    /// <summary>
    /// Custom health starts at AWS_INIT_HEALTH_STATUS (HEALTHY by default). Active checks start HEALTHY, as a new
    /// Route 53 check does, until the health engine decides otherwise. No health check: no health record.
    /// </summary>
    private static HealthStatus? InitialHealth(ServiceRecord service, IReadOnlyDictionary<string, string> attributes)
    {
        if (service.HealthCheckCustomConfig is not null)
            return attributes.GetValueOrDefault(ReservedAttributes.InitHealthStatus) == "UNHEALTHY" ? HealthStatus.Unhealthy : HealthStatus.Healthy;
        return service.HealthCheckConfig is not null ? HealthStatus.Healthy : null;
    }
}
