using Portolan.Core.Ecs.Model;

namespace Portolan.Tasks.Runtime;

/// <summary>
/// Runs a container's health check for as long as the container runs, with ECS's semantics: a check every
/// <c>interval</c>, <c>retries</c> consecutive failures make the container UNHEALTHY, failures within
/// <c>startPeriod</c> do not count, one success makes it HEALTHY. Until the first success it also checks every
/// <see cref="TasksOptions.StartupProbeInterval"/>; those extra checks can only pass, so a container becomes healthy as
/// soon as it is ready but is not declared unhealthy any sooner than ECS would.
/// </summary>
internal sealed class HealthMonitor(HealthCheckSpec spec, Func<CancellationToken, Task<bool>> probe, TimeProvider time, TimeSpan startupInterval,
    Action<string> report)
{
    public string Status { get; private set; } = EcsHealth.Unknown;

    public async Task RunAsync(string initialStatus, CancellationToken ct)
    {
        Status = initialStatus;
        var interval = TimeSpan.FromSeconds(spec.Interval);
        var started = time.GetUtcNow();
        var nextCounted = started + interval;
        var failures = 0;
        while (!ct.IsCancellationRequested)
        {
            var now = time.GetUtcNow();
            if (Status != EcsHealth.Healthy && nextCounted - now > startupInterval)
            {
                await Task.Delay(startupInterval, time, ct);
                if (await ProbeAsync(ct)) Set(EcsHealth.Healthy, ref failures);
                continue;
            }
            if (nextCounted > now) await Task.Delay(nextCounted - now, time, ct);
            nextCounted = time.GetUtcNow() + interval;
            if (await ProbeAsync(ct))
            {
                Set(EcsHealth.Healthy, ref failures);
            }
            else if (time.GetUtcNow() - started >= TimeSpan.FromSeconds(spec.StartPeriod) && ++failures >= spec.Retries && Status != EcsHealth.Unhealthy)
            {
                Status = EcsHealth.Unhealthy;
                report(Status);
            }
        }
    }

    private Task<bool> ProbeAsync(CancellationToken ct) => probe(ct);

    private void Set(string status, ref int failures)
    {
        failures = 0;
        if (Status == status) return;
        Status = status;
        report(status);
    }
}
