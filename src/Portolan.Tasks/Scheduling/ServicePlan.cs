using Portolan.Core.Ecs.Model;

namespace Portolan.Tasks.Scheduling;

/// <summary>What one scheduler pass decided for a service; <see cref="ServiceScheduler"/> carries it out.</summary>
internal sealed class ServicePlan
{
    /// <summary>Tasks to start, per deployment.</summary>
    public List<(string DeploymentId, int Count)> Launches { get; } = [];

    /// <summary>Tasks to stop, with the reason written on them.</summary>
    public List<(string TaskId, string Reason)> Stops { get; } = [];

    /// <summary>The new deployments list (and task definition) when deployments changed; applied only if the primary is still <see cref="ExpectedPrimary"/>.</summary>
    public IReadOnlyList<DeploymentRecord>? Deployments { get; set; }
    public string? TaskDefinitionArn { get; set; }
    public string? ExpectedPrimary { get; set; }

    /// <summary>Set to INACTIVE a DRAINING service whose tasks have all stopped.</summary>
    public bool Deactivate { get; set; }

    /// <summary>Service events in the order they happened (without the "(service name) " prefix).</summary>
    public List<string> Events { get; } = [];

    public bool IsEmpty => Launches.Count == 0 && Stops.Count == 0 && Deployments is null && !Deactivate && Events.Count == 0;
}
