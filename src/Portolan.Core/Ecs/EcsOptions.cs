namespace Portolan.Core.Ecs;

/// <summary>Settings of the ECS registry on this node.</summary>
public sealed class EcsOptions
{
    /// <summary>
    /// This node's id: the container instance that tasks started here run on (32 hex digits). The host sets it
    /// from a file in the data directory so it survives restarts. <remarks>Defaults to a new id per process.</remarks>
    /// </summary>
    public string NodeId { get; set; } = EcsIds.NewTaskId();

    /// <summary>How long STOPPED tasks (and INACTIVE services) stay describable. <remarks>Defaults to 1 hour, as ECS keeps them.</remarks></summary>
    public TimeSpan StoppedRetention { get; set; } = TimeSpan.FromHours(1);
}
