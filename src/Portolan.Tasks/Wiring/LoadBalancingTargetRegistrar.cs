using Portolan.Core.Ecs.Registry;
using Portolan.Core.LoadBalancing;
using Portolan.Core.LoadBalancing.Validation;
using Portolan.Core.Registry;
using Portolan.Core.Snapshots;

namespace Portolan.Tasks.Wiring;

/// <summary>
/// Task ports as ELBv2 targets through the <see cref="LoadBalancingRegistry"/>: ip target groups get the task's
/// address, instance target groups this node's instance id (Portolan's target model maps every instance id to this
/// host). A deregistered target is drained when the target group has let it go (its deregistration delay ran out)
/// or, earlier, when nothing is connected to its port any more (the delay ends early when idle, as on AWS).
/// </summary>
internal sealed class LoadBalancingTargetRegistrar(LoadBalancingRegistry registry, EcsRegistry ecs) : ITargetRegistrar
{
    public bool IsAvailable => true;

    public string TargetId(RegistrySnapshot snapshot, string targetGroupArn, string hostAddress) =>
        snapshot.LoadBalancing.FindTargetGroup(targetGroupArn)?.Record.TargetType == TargetType.Instance ? InstanceId : hostAddress;

    /// <summary><c>i-</c> and 17 hex digits derived from the node id (its container instance), stable across restarts.</summary>
    private string InstanceId => "i-" + ecs.NodeId[..17];

    public Task RegisterAsync(string targetGroupArn, string id, int port, CancellationToken ct) =>
        registry.RegisterTargetsAsync(targetGroupArn, [new TargetDescription(id, port)], ct);

    public async Task DeregisterAsync(string targetGroupArn, string id, int port, CancellationToken ct)
    {
        try
        {
            await registry.DeregisterTargetsAsync(targetGroupArn, [new TargetDescription(id, port)], ct);
        }
        catch (RegistryException e) when (e.Code is ElbErrors.InvalidTarget or ElbErrors.TargetGroupNotFound)
        {
            // Not registered (any more), or the target group is gone: nothing to drain.
        }
    }

    public bool IsDrained(RegistrySnapshot snapshot, string targetGroupArn, string id, int port)
    {
        if (snapshot.LoadBalancing.FindTargetGroup(targetGroupArn) is not { } tg || !tg.Targets.TryGetValue(new TargetKey(id, port), out var target))
            return true;
        return target.Record.IsDraining && ConnectionCounter.Established(port) == 0;
    }

    public bool IsHealthy(RegistrySnapshot snapshot, string targetGroupArn, string id, int port)
    {
        if (snapshot.LoadBalancing.FindTargetGroup(targetGroupArn) is not { } tg || !tg.Targets.TryGetValue(new TargetKey(id, port), out var target))
            return false;
        // A group no load balancer uses never checks its targets: nothing to wait for.
        return tg.HealthOf(target) is { State: TargetHealthState.Unused } or { TakesTraffic: true };
    }

    public string? UnhealthyReason(RegistrySnapshot snapshot, string targetGroupArn, string id, int port) =>
        snapshot.LoadBalancing.FindTargetGroup(targetGroupArn) is { } tg && tg.Targets.TryGetValue(new TargetKey(id, port), out var target)
        && tg.HealthOf(target) is { State: TargetHealthState.Unhealthy } health ? health.Description ?? "Health checks failed" : null;
}
