using Portolan.Core.LoadBalancing;
using Portolan.Core.Snapshots;
using Portolan.Storage;

namespace Portolan.Core.Ecs;

/// <summary>Target groups for ECS validation, from the load balancing section of the snapshot.</summary>
public sealed class LoadBalancingTargetGroupCatalog : ITargetGroupCatalog
{
    public bool IsAvailable => true;

    public TargetGroupInfo? Find(RegistrySnapshot snapshot, string arn) =>
        snapshot.LoadBalancing.FindTargetGroup(arn) is { } tg
            ? new TargetGroupInfo(tg.Arn, WireNames.Of(tg.Record.Protocol), tg.Record.Port, WireNames.Of(tg.Record.TargetType), tg.InUse,
                Compare.CreateRevisionIs(LoadBalancingKeys.TargetGroup(tg.Id), tg.CreateRevision))
            : null;
}
