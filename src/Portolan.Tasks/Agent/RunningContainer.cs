using Portolan.Core.Ecs.Model;
using Portolan.Tasks.Runtime;

namespace Portolan.Tasks.Agent;

/// <summary>A container of a task whose process this node runs (or adopted).</summary>
internal sealed class RunningContainer(ContainerDefinition definition, ContainerProcess process, IReadOnlyDictionary<string, string> environment, string workingDirectory)
{
    public ContainerDefinition Definition { get; } = definition;
    public ContainerProcess Process { get; } = process;
    public IReadOnlyDictionary<string, string> Environment { get; } = environment;
    public string WorkingDirectory { get; } = workingDirectory;
    public HealthMonitor? Health { get; set; }

    /// <summary>Set once the container's exit has been written to the task.</summary>
    public bool ExitRecorded { get; set; }

    /// <summary>Why the container stopped, when it was not simply its process exiting.</summary>
    public string? Reason { get; set; }

    public string Name => Definition.Name;
}
