using Microsoft.Extensions.Logging;
using Portolan.Core.Ecs.Model;
using Portolan.Tasks.Runtime;

namespace Portolan.Tasks.Agent;

internal sealed partial class TaskRunner
{
    /// <summary>
    /// Stops a running task, drain-aware: out of DNS and the load balancers first (DEACTIVATING), then — when
    /// <paramref name="drain"/> and the task still serves — wait until resolvers' caches expire and target groups
    /// finish draining, then SIGTERM and, after stopTimeout, SIGKILL (STOPPING), then DEPROVISIONING and STOPPED.
    /// A stop code and reason already on the record (StopTask, the scheduler) win over the ones given.
    /// </summary>
    private async Task StopAsync(string? stopCode, string? reason, bool drain, IReadOnlyDictionary<string, string>? containerReasons = null)
    {
        foreach (var (name, why) in containerReasons ?? new Dictionary<string, string>())
        {
            if (_containers.FirstOrDefault(c => c.Name == name) is { } c) c.Reason = why;
        }
        var now = Now;
        var task = await UpdateAsync(t =>
        {
            var registered = t.Registrations is { DeregisteredAt: null } r && (r.CloudMapInstanceId is not null || r.Targets.Count > 0);
            return t with
            {
                DesiredStatus = EcsTaskStatus.Stopped, StopCode = t.StopCode ?? stopCode, StoppedReason = t.StoppedReason ?? reason,
                LastStatus = registered ? EcsTaskStatus.Deactivating : t.LastStatus is EcsTaskStatus.Deprovisioning ? t.LastStatus : EcsTaskStatus.Stopping,
                StoppingAt = t.StoppingAt ?? now,
            };
        });

        if (task.LastStatus == EcsTaskStatus.Deactivating && task.Registrations is { } registrations)
        {
            try
            {
                await _ctx.Registrar.DeregisterAsync(task, registrations, CancellationToken.None);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogDeregistrationFailed(_ctx.Logger, _taskId, e.Message);
            }
            var deregisteredAt = Now;
            task = await UpdateAsync(t => t with { Registrations = t.Registrations! with { DeregisteredAt = deregisteredAt } });
            var deadline = deregisteredAt + _ctx.Options.MaxDrainTime;
            while (drain && !_nodeStopping && EssentialAlive() && Now < deadline && !_ctx.Registrar.IsDrained(task.Registrations!, Now))
            {
                await Task.Delay(DrainPoll, _ctx.Time);
            }
            task = await UpdateAsync(t => t with { LastStatus = EcsTaskStatus.Stopping });
        }

        await TerminateAsync();
        await UpdateAsync(t => t with { LastStatus = EcsTaskStatus.Deprovisioning });
        await FinishAsync(null, null);
    }

    private bool EssentialAlive() => _containers.Where(c => c.Definition.Essential).All(c => !c.Process.HasExited);

    /// <summary>SIGTERM to every container's process group; SIGKILL to what is left after its stopTimeout.</summary>
    private async Task TerminateAsync()
    {
        await _lifetime.CancelAsync();
        await Task.WhenAll(_containers.Select(async c =>
        {
            var timeout = c.Definition.StopTimeout is { } seconds ? TimeSpan.FromSeconds(seconds) : _ctx.Options.DefaultStopTimeout;
            if (_nodeStopping && timeout > AgentContext.ShutdownStopTimeout) timeout = AgentContext.ShutdownStopTimeout;
            if (!c.Process.HasExited && c.Process.Signal(Posix.SigTerm))
            {
                try
                {
                    await c.Process.Exited.WaitAsync(timeout, _ctx.Time);
                }
                catch (TimeoutException)
                {
                }
            }
            // Whatever is left of the group (the leader, or processes it started) does not outlive the container.
            c.Process.Signal(Posix.SigKill);
            try
            {
                await c.Process.Exited.WaitAsync(TimeSpan.FromSeconds(5), _ctx.Time);
            }
            catch (TimeoutException)
            {
            }
        }));
    }

    /// <summary>Writes the task STOPPED with each container's exit code (and the given stop code and reason unless one is set).</summary>
    private Task FinishAsync(string? stopCode, string? reason)
    {
        var now = Now;
        var containerReason = stopCode == StopCodes.TaskFailedToStart ? reason : null;
        return UpdateAsync(t => t with
        {
            DesiredStatus = EcsTaskStatus.Stopped, LastStatus = EcsTaskStatus.Stopped,
            StopCode = t.StopCode ?? stopCode, StoppedReason = t.StoppedReason ?? reason,
            StoppingAt = t.StoppingAt ?? now, ExecutionStoppedAt = now, StoppedAt = now,
            Containers = ContainerStates(t, stopped: null, failedReason: containerReason),
        });
    }

    /// <summary>
    /// The containers of <paramref name="t"/> with their exits written: every container in <paramref name="stopped"/>
    /// (all of them when null) is STOPPED with its exit code.
    /// </summary>
    private List<ContainerRecord> ContainerStates(TaskRecord t, HashSet<string>? stopped, string? failedReason = null) =>
        t.Containers.Select(c =>
        {
            if (stopped is not null && !stopped.Contains(c.Name)) return c;
            var running = _containers.FirstOrDefault(r => r.Name == c.Name);
            int? exit = running is { Process.Exited.IsCompletedSuccessfully: true } ? running.Process.Exited.Result : c.ExitCode;
            return c with
            {
                LastStatus = EcsTaskStatus.Stopped, ExitCode = exit,
                Reason = running?.Reason ?? c.Reason ?? (running is null && failedReason is not null ? failedReason : null),
            };
        }).ToList();
}
