using Microsoft.Extensions.Logging;
using Portolan.Core.Ecs.Model;
using Portolan.Tasks.Runtime;

namespace Portolan.Tasks.Agent;

/// <summary>
/// Runs one task on this node through its lifecycle, writing each step to the task record:
/// PROVISIONING → PENDING (ports allocated, commands resolved) → RUNNING (one process per container) →
/// DEACTIVATING (out of DNS and the load balancers, draining) → STOPPING (SIGTERM, SIGKILL after stopTimeout) →
/// DEPROVISIONING → STOPPED. While RUNNING it watches the processes (an essential container's exit stops the task)
/// and their health checks, and registers a service's task once it is ready for traffic.
/// </summary>
internal sealed partial class TaskRunner : IDisposable
{
    private static readonly TimeSpan DrainPoll = TimeSpan.FromMilliseconds(200);
    private static readonly TimeSpan RegistrationRetry = TimeSpan.FromSeconds(5);

    private readonly string _taskId;
    private readonly AgentContext _ctx;
    private readonly SemaphoreSlim _wake = new(0, 1);
    private readonly CancellationTokenSource _lifetime = new();
    private readonly List<RunningContainer> _containers = [];
    private readonly List<(int Port, string Protocol)> _ports = [];
    private volatile bool _nodeStopping;
    private DateTimeOffset _retryRegistrationAt;

    public TaskRunner(string taskId, AgentContext ctx)
    {
        _taskId = taskId;
        _ctx = ctx;
    }

    public string TaskId => _taskId;

    public Task Completion { get; private set; } = Task.CompletedTask;

    public void Start() => Completion = Task.Run(RunAsync);

    /// <summary>Something changed (the task record, a process, a health check): look again.</summary>
    public void Wake()
    {
        try
        {
            _wake.Release();
        }
        catch (SemaphoreFullException)
        {
            // A wake-up is already pending.
        }
        catch (ObjectDisposedException)
        {
            // The task is done.
        }
    }

    public void Dispose()
    {
        _wake.Dispose();
        _lifetime.Dispose();
    }

    /// <summary>The node is shutting down: stop the task now, without waiting for clients to drain.</summary>
    public Task ShutdownAsync()
    {
        _nodeStopping = true;
        Wake();
        return Completion;
    }

    private TaskRecord? Current => _ctx.Ecs.Snapshots.Current.Ecs.Task(_taskId)?.Record;

    private DateTimeOffset Now => _ctx.Time.GetUtcNow();

    private async Task RunAsync()
    {
        try
        {
            var task = Current;
            if (task is null || task.IsStopped) return;
            if (task.LastStatus is EcsTaskStatus.Provisioning or EcsTaskStatus.Pending)
            {
                if (!task.WantsRunning || _nodeStopping)
                {
                    await FinishAsync(null, null);
                    return;
                }
                if (!await LaunchAsync(task)) return;
            }
            else if (Adopt(task) is { } missing)
            {
                await StopAsync(StopCodes.EssentialContainerExited, "Essential container in task exited", drain: false, missing);
                return;
            }
            await SuperviseAsync();
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogRunnerFailed(_ctx.Logger, e, _taskId);
            KillAll();
        }
        finally
        {
            await _lifetime.CancelAsync();
            foreach (var (port, protocol) in _ports) _ctx.Ports.Release(port, protocol);
            foreach (var c in _containers) c.Process.Dispose();
        }
    }

    private async Task SuperviseAsync()
    {
        while (true)
        {
            var task = Current;
            if (task is null)
            {
                KillAll();
                return;
            }
            if (task.IsStopped)
            {
                // The cluster gave this node up for lost (its lease expired: a long pause, a partition) and stopped the
                // task, which now runs elsewhere: its processes go, and the record stays as the leader wrote it.
                LogStoppedByCluster(_ctx.Logger, _taskId);
                await TerminateAsync();
                return;
            }
            if (_nodeStopping)
            {
                await StopAsync(StopCodes.TerminationNotice, "Portolan on this node is shutting down", drain: false);
                return;
            }
            if (!task.WantsRunning)
            {
                await StopAsync(null, null, drain: true);
                return;
            }
            var exited = _containers.Where(c => c.Process.HasExited && !c.ExitRecorded).ToList();
            if (exited.Count > 0)
            {
                foreach (var c in exited) c.ExitRecorded = true;
                if (exited.Any(c => c.Definition.Essential))
                {
                    await StopAsync(StopCodes.EssentialContainerExited, "Essential container in task exited", drain: false);
                    return;
                }
                task = await UpdateAsync(t => t with { Containers = ContainerStates(t, stopped: exited.Select(c => c.Name).ToHashSet()) });
            }
            task = await SyncHealthAsync(task);
            await SyncRegistrationAsync(task);
            await WaitAsync();
        }
    }

    private async Task WaitAsync()
    {
        // Registration retries and nothing else are timed; everything else wakes the runner.
        var retryIn = _retryRegistrationAt - Now;
        if (retryIn > TimeSpan.Zero)
        {
            using var timeout = new CancellationTokenSource(retryIn, _ctx.Time);
            try
            {
                await _wake.WaitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
            }
            return;
        }
        await _wake.WaitAsync();
    }

    private Task<TaskRecord> UpdateAsync(Func<TaskRecord, TaskRecord> change) =>
        _ctx.Ecs.UpdateTaskAsync(_taskId, change).ContinueWith(
            static r => r.Result ?? throw new InvalidOperationException("The task record is gone."), TaskScheduler.Default);

    private void KillAll()
    {
        foreach (var c in _containers) c.Process.Signal(Posix.SigKill);
    }

    [LoggerMessage(10, LogLevel.Error, "The runtime of task {TaskId} failed; its processes were killed.")]
    private static partial void LogRunnerFailed(ILogger logger, Exception exception, string taskId);

    [LoggerMessage(11, LogLevel.Warning, "Registering task {TaskId} failed (retrying): {Reason}")]
    private static partial void LogRegistrationFailed(ILogger logger, string taskId, string reason);

    [LoggerMessage(12, LogLevel.Warning, "Deregistering task {TaskId} failed: {Reason}")]
    private static partial void LogDeregistrationFailed(ILogger logger, string taskId, string reason);

    [LoggerMessage(13, LogLevel.Information, "Task {TaskId} adopted: its processes survived the restart.")]
    private static partial void LogAdopted(ILogger logger, string taskId);

    [LoggerMessage(14, LogLevel.Warning, "Task {TaskId} was stopped by the cluster while this node counted as lost; stopping its processes.")]
    private static partial void LogStoppedByCluster(ILogger logger, string taskId);
}
