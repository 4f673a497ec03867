using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Portolan.Core.Ecs.Registry;
using Portolan.Tasks.Runtime;
using Portolan.Tasks.Wiring;

namespace Portolan.Tasks.Agent;

/// <summary>
/// The process runtime of this node (the ECS agent's role): a <see cref="TaskRunner"/> for every task placed on this
/// node that is not STOPPED, woken whenever its record changes. Tasks found RUNNING at start-up are adopted when their
/// processes survived (Portolan was killed) and stopped otherwise. On shutdown every task is stopped (out of DNS and
/// the load balancers, then SIGTERM/SIGKILL) and recorded STOPPED, so the scheduler replaces it on the next start.
/// </summary>
internal sealed partial class TaskAgent : BackgroundService
{
    private readonly EcsRegistry _ecs;
    private readonly AgentContext _ctx;
    private readonly Dictionary<string, (TaskRunner Runner, long ModRevision)> _runners = new(StringComparer.Ordinal);

    public TaskAgent(EcsRegistry ecs, TaskRegistrar registrar, Microsoft.Extensions.Options.IOptions<TasksOptions> options, TimeProvider time,
        PortAllocator ports, TaskLogs logs, ILogger<TaskAgent> logger)
    {
        _ecs = ecs;
        _ctx = new AgentContext(ecs, registrar, options.Value, time, ports, logs, logger);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        ForgetFilesOfUnknownTasks();
        KillProcessesOfStoppedTasks();
        while (!stoppingToken.IsCancellationRequested)
        {
            var snapshot = _ecs.Snapshots.Current;
            foreach (var (id, stored) in snapshot.Ecs.Tasks)
            {
                var t = stored.Record;
                if (t.NodeId != _ecs.NodeId) continue;
                if (_runners.TryGetValue(id, out var entry))
                {
                    if (entry.ModRevision != stored.ModRevision)
                    {
                        _runners[id] = (entry.Runner, stored.ModRevision);
                        entry.Runner.Wake();
                    }
                }
                else if (!t.IsStopped)
                {
                    var runner = new TaskRunner(id, _ctx);
                    _runners[id] = (runner, stored.ModRevision);
                    runner.Start();
                }
            }
            foreach (var id in _runners.Where(r => r.Value.Runner.Completion.IsCompleted).Select(r => r.Key).ToList())
            {
                if (snapshot.Ecs.Task(id) is null) _ctx.Logs.Delete(id);
                if (snapshot.Ecs.Task(id) is null or { Record.IsStopped: true } && _runners.Remove(id, out var done)) done.Runner.Dispose();
            }
            try
            {
                await _ecs.Snapshots.WaitForChangeAsync(snapshot.Revision, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        var running = _runners.Values.Select(r => r.Runner).Where(r => !r.Completion.IsCompleted).ToList();
        if (running.Count > 0) LogStopping(_ctx.Logger, running.Count);
        await Task.WhenAll(running.Select(r => r.ShutdownAsync()));
    }

    public override void Dispose()
    {
        foreach (var (runner, _) in _runners.Values) runner.Dispose();
        base.Dispose();
    }

    /// <summary>Log directories of tasks the registry no longer knows (pruned while Portolan was down) go.</summary>
    private void ForgetFilesOfUnknownTasks()
    {
        var root = Path.GetDirectoryName(_ctx.Logs.TaskDirectory("x"))!;
        if (!Directory.Exists(root)) return;
        var known = _ecs.Snapshots.Current.Ecs.Tasks;
        foreach (var dir in Directory.EnumerateDirectories(root))
        {
            var id = Path.GetFileName(dir);
            if (!known.ContainsKey(id)) _ctx.Logs.Delete(id);
        }
    }

    /// <summary>
    /// Processes of this node's tasks that are recorded STOPPED yet still run: Portolan died, its processes lived on, and
    /// the cluster stopped the tasks (and replaced them elsewhere) before it came back. They go now.
    /// </summary>
    private void KillProcessesOfStoppedTasks()
    {
        foreach (var stored in _ecs.Snapshots.Current.Ecs.Tasks.Values)
        {
            var t = stored.Record;
            if (t.NodeId != _ecs.NodeId || !t.IsStopped) continue;
            foreach (var c in t.Containers)
            {
                if (!int.TryParse(c.RuntimeId, System.Globalization.CultureInfo.InvariantCulture, out var pid) || c.StartTicks is not { } ticks || c.BootId is not { } boot
                    || !new ProcessIdentity(pid, ticks, boot).IsAlive()) continue;
                // The container is a process group of its own (setsid): all of it goes.
                Posix.SignalGroup(pid, Posix.SigKill);
                LogKilledStopped(_ctx.Logger, pid, c.Name, t.Id);
            }
        }
    }

    [LoggerMessage(21, LogLevel.Warning, "Killed process {Pid} (container {Container}) of task {TaskId}: the cluster stopped the task while this node was gone.")]
    private static partial void LogKilledStopped(ILogger logger, int pid, string container, string taskId);

    [LoggerMessage(20, LogLevel.Information, "Stopping {Count} task(s) on this node before shutting down.")]
    private static partial void LogStopping(ILogger logger, int count);
}
