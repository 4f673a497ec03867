using System.Globalization;
using Portolan.Core.Ecs.Model;
using Portolan.Tasks.Runtime;

namespace Portolan.Tasks.Agent;

internal sealed partial class TaskRunner
{
    /// <summary>PROVISIONING → PENDING → RUNNING: ports, environment and commands for every container, then the processes.</summary>
    private async Task<bool> LaunchAsync(TaskRecord task)
    {
        var now = Now;
        task = await UpdateAsync(t => t with { LastStatus = EcsTaskStatus.Pending, PullStartedAt = now, PullStoppedAt = now });
        var td = _ctx.Ecs.Snapshots.Current.Ecs.TaskDefinitionByArn(task.TaskDefinitionArn)?.Record;
        if (td is null)
        {
            await FinishAsync(StopCodes.TaskFailedToStart, $"TaskDefinition {task.TaskDefinitionArn} not found");
            return false;
        }

        var bindings = new Dictionary<string, List<NetworkBindingRecord>>(StringComparer.Ordinal);
        try
        {
            var launches = new List<(ContainerDefinition Definition, ContainerLaunch Launch)>();
            foreach (var def in td.ContainerDefinitions)
            {
                var overrides = task.ContainerOverrides.FirstOrDefault(o => o.Name == def.Name);
                bindings[def.Name] = Bind(def, td.NetworkMode);
                var env = ContainerEnvironment.Build(_ctx.Options, task, def, bindings[def.Name], overrides);
                var cwd = def.WorkingDirectory ?? _ctx.Options.DefaultWorkingDirectory;
                launches.Add((def, new ContainerLaunch(ContainerEnvironment.Argv(def, overrides), env, cwd, _ctx.Logs.ContainerLog(_taskId, def.Name))));
            }
            if (Current is not { WantsRunning: true } || _nodeStopping)
            {
                await FinishAsync(null, null);
                return false;
            }
            foreach (var (def, launch) in launches)
            {
                try
                {
                    _containers.Add(new RunningContainer(def, ProcessLauncher.Start(launch), launch.Environment, launch.WorkingDirectory));
                }
                catch (ContainerStartException e)
                {
                    throw new ContainerStartException($"{e.Message} (container {def.Name})");
                }
            }
        }
        catch (ContainerStartException e)
        {
            KillAll();
            await FinishAsync(StopCodes.TaskFailedToStart, e.Message);
            return false;
        }

        foreach (var c in _containers)
        {
            _ = c.Process.Exited.ContinueWith(_ => Wake(), TaskScheduler.Default);
            StartHealth(c, EcsHealth.Unknown);
        }
        var started = Now;
        await UpdateAsync(t => t with
        {
            LastStatus = EcsTaskStatus.Running, StartedAt = started,
            Containers = t.Containers.Select(c => _containers.FirstOrDefault(r => r.Name == c.Name) is { } r
                ? c with
                {
                    LastStatus = EcsTaskStatus.Running, NetworkBindings = bindings[c.Name],
                    RuntimeId = r.Process.Pid.ToString(CultureInfo.InvariantCulture), StartTicks = r.Process.Identity.StartTicks, BootId = r.Process.Identity.BootId,
                }
                : c).ToList(),
        });
        return true;
    }

    /// <summary>
    /// Host ports for a container's mappings: dynamic for bridge mappings with hostPort 0, the container port itself in
    /// host and awsvpc modes (no translation exists), the given one otherwise.
    /// </summary>
    private List<NetworkBindingRecord> Bind(ContainerDefinition def, string networkMode)
    {
        var result = new List<NetworkBindingRecord>(def.PortMappings.Count);
        foreach (var p in def.PortMappings)
        {
            int port;
            if (p.HostPort == 0 && networkMode == NetworkModes.Bridge)
            {
                port = _ctx.Ports.AllocateDynamic(p.Protocol);
            }
            else
            {
                port = p.HostPort != 0 ? p.HostPort : p.ContainerPort;
                if (!_ctx.Ports.TryReserve(port, p.Protocol))
                    throw new ContainerStartException($"CannotStartContainerError: Bind for {_ctx.Options.BindIp}:{port} failed: port is already allocated");
            }
            _ports.Add((port, p.Protocol));
            result.Add(new NetworkBindingRecord(_ctx.Options.BindIp, p.ContainerPort, port, p.Protocol));
        }
        return result;
    }

    /// <summary>
    /// Takes over the processes of a task that was running when Portolan stopped: each container's recorded PID must
    /// still be the same process (start time and boot id match). Returns the reasons of essential containers whose
    /// process is gone (the task then stops), or null when the task carries on.
    /// </summary>
    private Dictionary<string, string>? Adopt(TaskRecord task)
    {
        var td = _ctx.Ecs.Snapshots.Current.Ecs.TaskDefinitionByArn(task.TaskDefinitionArn)?.Record;
        var missing = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var record in task.Containers)
        {
            if (record.LastStatus != EcsTaskStatus.Running) continue;
            var def = td?.Container(record.Name);
            if (def is null || !int.TryParse(record.RuntimeId, CultureInfo.InvariantCulture, out var pid) || record.StartTicks is not { } ticks || record.BootId is not { } boot
                || new ProcessIdentity(pid, ticks, boot) is var identity && !identity.IsAlive())
            {
                if (def?.Essential != false) missing[record.Name] = $"Process {record.RuntimeId} of container {record.Name} was not running when Portolan restarted (exit code unknown)";
                continue;
            }
            var process = ContainerProcess.Adopted(identity, _ctx.Time);
            foreach (var b in record.NetworkBindings)
            {
                _ctx.Ports.Claim(b.HostPort, b.Protocol);
                _ports.Add((b.HostPort, b.Protocol));
            }
            var overrides = task.ContainerOverrides.FirstOrDefault(o => o.Name == def.Name);
            var env = ContainerEnvironment.Build(_ctx.Options, task, def, record.NetworkBindings, overrides);
            var container = new RunningContainer(def, process, env, def.WorkingDirectory ?? _ctx.Options.DefaultWorkingDirectory);
            _containers.Add(container);
            _ = process.Exited.ContinueWith(_ => Wake(), TaskScheduler.Default);
            StartHealth(container, record.HealthStatus);
        }
        if (missing.Count > 0)
        {
            // The rest of the task goes too; its processes were adopted so that they can be stopped properly.
            return missing;
        }
        LogAdopted(_ctx.Logger, _taskId);
        return null;
    }

    private void StartHealth(RunningContainer c, string initialStatus)
    {
        if (c.Definition.HealthCheck is not { } spec) return;
        var output = _ctx.Logs.HealthLog(_taskId, c.Name);
        var monitor = new HealthMonitor(spec,
            ct => HealthProbe.RunAsync(spec.Command, c.Environment, c.WorkingDirectory, output, TimeSpan.FromSeconds(spec.Timeout), ct),
            _ctx.Time, _ctx.Options.StartupProbeInterval, _ => Wake());
        c.Health = monitor;
        _ = Task.Run(async () =>
        {
            try
            {
                await monitor.RunAsync(initialStatus, _lifetime.Token);
            }
            catch (OperationCanceledException)
            {
            }
        });
    }
}
