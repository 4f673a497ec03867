using Portolan.Core.Snapshots;
using Portolan.Storage;

namespace Portolan.Core.Ecs;

/// <summary>
/// What ECS needs to know about ELBv2 target groups to validate a service's <c>loadBalancers</c>. The load
/// balancing model provides it; until one is registered, <see cref="IsAvailable"/> is false and target groups
/// cannot be checked (nor registered in).
/// </summary>
public interface ITargetGroupCatalog
{
    bool IsAvailable { get; }

    /// <summary>The target group with this ARN in <paramref name="snapshot"/>, or null when there is none.</summary>
    TargetGroupInfo? Find(RegistrySnapshot snapshot, string arn);
}

/// <summary>
/// A target group as ECS validation sees it. <see cref="Guard"/> is the store compare that holds while the target
/// group is the one validated, so a service is never created against a target group deleted meanwhile.
/// </summary>
public sealed record TargetGroupInfo(string Arn, string Protocol, int? Port, string TargetType, bool HasLoadBalancer, Compare Guard);

/// <summary>The catalog in effect while no load balancing model is registered.</summary>
public sealed class NoTargetGroupCatalog : ITargetGroupCatalog
{
    public bool IsAvailable => false;
    public TargetGroupInfo? Find(RegistrySnapshot snapshot, string arn) => null;
}
