using Portolan.Core.Discovery;
using Portolan.Core.Ecs.Model;
using Portolan.Core.Ids;
using Portolan.Core.Snapshots;
using Portolan.Storage;

namespace Portolan.Core.Ecs.Validation;

/// <summary>
/// Checks a service's <c>loadBalancers</c> and <c>serviceRegistries</c> against its task definition, the Cloud Map
/// registry and the target groups, with messages that say what to fix. Returns the store compares that keep the
/// referenced Cloud Map service and target groups as validated until the write commits.
/// </summary>
public static class ServiceRules
{
    public const int MaxLoadBalancers = 5;

    public static List<Compare> Validate(
        RegistrySnapshot snapshot, TaskDefinitionRecord td,
        IReadOnlyList<LoadBalancerSpec> loadBalancers, IReadOnlyList<ServiceRegistrySpec> registries,
        ITargetGroupCatalog targetGroups, bool strict)
    {
        var guards = new List<Compare>();
        LoadBalancers(snapshot, td, loadBalancers, targetGroups, guards);
        Registries(snapshot, td, registries, strict, guards);
        return guards;
    }

    private static void LoadBalancers(RegistrySnapshot s, TaskDefinitionRecord td, IReadOnlyList<LoadBalancerSpec> lbs, ITargetGroupCatalog catalog, List<Compare> guards)
    {
        if (lbs.Count > MaxLoadBalancers)
            throw EcsErrors.Invalid($"loadBalancers can have at most {MaxLoadBalancers} items; {lbs.Count} were given.");
        var seen = new HashSet<(string, string, int)>();
        foreach (var lb in lbs)
        {
            if (lb.LoadBalancerName is not null)
                throw EcsErrors.Invalid($"Classic Load Balancers are not supported (loadBalancerName '{lb.LoadBalancerName}'); register the container port in an ELBv2 target group with targetGroupArn.");
            if (string.IsNullOrEmpty(lb.TargetGroupArn))
                throw EcsErrors.Invalid("Each loadBalancers entry needs a targetGroupArn.");
            var mapping = ContainerPort(td, lb.ContainerName, lb.ContainerPort);
            if (!seen.Add((lb.TargetGroupArn, lb.ContainerName, lb.ContainerPort)))
                throw EcsErrors.Invalid($"loadBalancers lists container {lb.ContainerName} port {lb.ContainerPort} in target group {lb.TargetGroupArn} more than once.");
            if (mapping.Protocol != "tcp")
                throw EcsErrors.Invalid($"Container {lb.ContainerName} port {lb.ContainerPort} is {mapping.Protocol}; an Application Load Balancer target group needs a tcp port.");
            if (!catalog.IsAvailable) continue;
            var tg = catalog.Find(s, lb.TargetGroupArn)
                ?? throw EcsErrors.Invalid($"The target group {lb.TargetGroupArn} does not exist.");
            if (tg.Protocol is not ("HTTP" or "HTTPS" or "TCP"))
                throw EcsErrors.Invalid($"The target group {lb.TargetGroupArn} uses protocol {tg.Protocol}, which cannot forward to container {lb.ContainerName} port {lb.ContainerPort}/tcp.");
            if (tg.TargetType is not ("ip" or "instance"))
                throw EcsErrors.Invalid($"The target group {lb.TargetGroupArn} has target type {tg.TargetType}; ECS tasks register as 'ip' or 'instance' targets.");
            guards.Add(tg.Guard);
        }
    }

    private static void Registries(RegistrySnapshot s, TaskDefinitionRecord td, IReadOnlyList<ServiceRegistrySpec> registries, bool strict, List<Compare> guards)
    {
        if (registries.Count > 1)
            throw EcsErrors.Invalid("Only one service registry is supported per service; serviceRegistries has " + registries.Count + " items.");
        foreach (var r in registries)
        {
            if (string.IsNullOrEmpty(r.RegistryArn)) throw EcsErrors.Invalid("The serviceRegistries entry needs a registryArn (the ARN of a Cloud Map service).");
            var id = r.RegistryArn.StartsWith("arn:", StringComparison.Ordinal) ? Arns.ServiceIdFrom(r.RegistryArn) : null;
            if (id is null || !s.Services.TryGetValue(id, out var svc) || svc.Record.Arn != r.RegistryArn)
                throw EcsErrors.Invalid($"The service registry {r.RegistryArn} does not exist: registryArn must be the ARN of a Cloud Map service (servicediscovery create-service).");
            if (r.Port is not null && r.ContainerPort is not null)
                throw EcsErrors.Invalid("A service registry can specify either port or containerName and containerPort, not both.");
            if ((r.ContainerName is null) != (r.ContainerPort is null))
                throw EcsErrors.Invalid("A service registry needs both containerName and containerPort, or neither.");
            if (r.Port is < 1 or > 65535) throw EcsErrors.Invalid($"Invalid service registry port {r.Port}: it must be between 1 and 65535.");
            if (r.ContainerName is not null) ContainerPort(td, r.ContainerName, r.ContainerPort!.Value);

            var records = svc.Record.DnsConfig?.DnsRecords.Select(d => d.Type).ToHashSet() ?? [];
            var awsvpc = td.NetworkMode == NetworkModes.AwsVpc;
            if (records.Contains(RecordType.Srv) && r.ContainerName is null && !(awsvpc && r.Port is not null))
                throw EcsErrors.Invalid(awsvpc
                    ? $"The Cloud Map service {r.RegistryArn} has SRV records: specify port, or containerName and containerPort, in the service registry."
                    : $"When specifying 'SRV' DNS records in a service registry with {td.NetworkMode} network mode, you must specify containerName and containerPort.");
            if (records.Contains(RecordType.Cname))
                throw EcsErrors.Invalid($"The Cloud Map service {r.RegistryArn} has CNAME records; ECS tasks register A, AAAA or SRV records.");
            if (strict && !awsvpc && (records.Contains(RecordType.A) || records.Contains(RecordType.Aaaa)))
                throw EcsErrors.Invalid($"A and AAAA records in a service registry need the awsvpc network mode; with {td.NetworkMode} use SRV records.");
            if (records.Contains(RecordType.Aaaa))
                throw EcsErrors.Invalid($"The Cloud Map service {r.RegistryArn} has AAAA records; Portolan tasks register an IPv4 address, so use A and/or SRV records.");
            guards.Add(Compare.CreateRevisionIs(Core.Registry.StoreKeys.Service(svc.Id), svc.CreateRevision));
        }
    }

    private static PortMappingSpec ContainerPort(TaskDefinitionRecord td, string? containerName, int containerPort)
    {
        if (string.IsNullOrEmpty(containerName)) throw EcsErrors.Invalid("containerName is required with a container port.");
        var container = td.Container(containerName)
            ?? throw EcsErrors.Invalid($"The container {containerName} does not exist in the task definition {td.FamilyRevision}.");
        return container.PortMapping(containerPort)
            ?? throw EcsErrors.Invalid($"The container {containerName} did not have a container port {containerPort} defined (task definition {td.FamilyRevision} maps {Ports(container)}).");
    }

    private static string Ports(ContainerDefinition c) =>
        c.PortMappings.Count == 0 ? "no ports" : string.Join(", ", c.PortMappings.Select(p => $"{p.ContainerPort}/{p.Protocol}"));
}
