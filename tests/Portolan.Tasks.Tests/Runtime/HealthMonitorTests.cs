using System.Collections.Concurrent;
using Microsoft.Extensions.Time.Testing;
using Portolan.Core.Ecs.Model;
using Portolan.Tasks.Runtime;

namespace Portolan.Tasks.Tests.Runtime;

/// <summary>Health check semantics on a virtual clock with a scripted probe.</summary>
public sealed class HealthMonitorTests
{
    private sealed class Script(params bool[] results)
    {
        private readonly ConcurrentQueue<bool> _results = new(results);
        public ConcurrentQueue<TimeSpan> Calls { get; } = new();
        public Func<CancellationToken, Task<bool>> Probe(FakeTimeProvider time, DateTimeOffset start) => _ =>
        {
            Calls.Enqueue(time.GetUtcNow() - start);
            return Task.FromResult(_results.TryDequeue(out var r) && r);
        };
    }

    /// <summary>
    /// A virtual clock that knows when the monitor is waiting: every timer it creates fires once (Task.Delay), so the
    /// monitor is idle exactly when one more timer was created than fired. The clock only moves then, so each step sees
    /// the monitor where the previous one left it, however slow the machine.
    /// </summary>
    private sealed class SteppedClock : TimeProvider
    {
        private int _created;
        private int _fired;

        public FakeTimeProvider Inner { get; } = new();

        public override DateTimeOffset GetUtcNow() => Inner.GetUtcNow();

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            Interlocked.Increment(ref _created);
            return Inner.CreateTimer(s => { Interlocked.Increment(ref _fired); callback(s); }, state, dueTime, period);
        }

        public Task IdleAsync() => Eventually.TrueAsync(() => Volatile.Read(ref _created) == Volatile.Read(ref _fired) + 1, "the monitor waits");
    }

    private static async Task<List<string>> RunAsync(HealthCheckSpec spec, Script script, TimeSpan runFor, TimeSpan step)
    {
        var clock = new SteppedClock();
        var reports = new ConcurrentQueue<string>();
        var monitor = new HealthMonitor(spec, script.Probe(clock.Inner, clock.GetUtcNow()), clock, TimeSpan.FromSeconds(1), reports.Enqueue);
        using var stop = new CancellationTokenSource();
        var run = monitor.RunAsync(EcsHealth.Unknown, stop.Token);
        for (var elapsed = TimeSpan.Zero; elapsed < runFor; elapsed += step)
        {
            await clock.IdleAsync();
            clock.Inner.Advance(step);
        }
        await clock.IdleAsync();
        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run);
        return [.. reports];
    }

    [Fact]
    public async Task Monitor_IsHealthyAtTheFirstPassingProbe_BeforeTheFirstInterval()
    {
        var script = new Script(false, false, true);
        var reports = await RunAsync(new HealthCheckSpec { Command = ["CMD", "true"], Interval = 30 }, script, TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(1));
        Assert.Equal([EcsHealth.Healthy], reports);
        Assert.Equal(TimeSpan.FromSeconds(3), script.Calls.ElementAt(2));
    }

    [Fact]
    public async Task Monitor_CountsOnlyTheChecksAtTheInterval_TowardsRetries()
    {
        // Never passes: startup probes every second may not make it unhealthy; three interval checks (at 5, 10, 15 s) do.
        var script = new Script();
        var reports = await RunAsync(new HealthCheckSpec { Command = ["CMD", "false"], Interval = 5, Retries = 3 }, script, TimeSpan.FromSeconds(14), TimeSpan.FromSeconds(1));
        Assert.Empty(reports);
        script = new Script();
        reports = await RunAsync(new HealthCheckSpec { Command = ["CMD", "false"], Interval = 5, Retries = 3 }, script, TimeSpan.FromSeconds(16), TimeSpan.FromSeconds(1));
        Assert.Equal([EcsHealth.Unhealthy], reports);
    }

    [Fact]
    public async Task Monitor_IgnoresFailuresWithinTheStartPeriod()
    {
        var script = new Script();
        var reports = await RunAsync(new HealthCheckSpec { Command = ["CMD", "false"], Interval = 5, Retries = 1, StartPeriod = 12 }, script, TimeSpan.FromSeconds(14), TimeSpan.FromSeconds(1));
        Assert.Empty(reports);
    }
}
