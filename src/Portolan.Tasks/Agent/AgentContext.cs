using Microsoft.Extensions.Logging;
using Portolan.Core.Ecs.Registry;
using Portolan.Tasks.Runtime;
using Portolan.Tasks.Wiring;

namespace Portolan.Tasks.Agent;

/// <summary>What every task runner on this node shares.</summary>
internal sealed class AgentContext(EcsRegistry ecs, TaskRegistrar registrar, TasksOptions options, TimeProvider time, PortAllocator ports, TaskLogs logs, ILogger logger)
{
    public EcsRegistry Ecs { get; } = ecs;
    public TaskRegistrar Registrar { get; } = registrar;
    public TasksOptions Options { get; } = options;
    public TimeProvider Time { get; } = time;
    public PortAllocator Ports { get; } = ports;
    public TaskLogs Logs { get; } = logs;
    public ILogger Logger { get; } = logger;

    /// <summary>How long stopping a task may take while the node shuts down (the host allows 10 s in all).</summary>
    public static readonly TimeSpan ShutdownStopTimeout = TimeSpan.FromSeconds(5);
}
