using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Portolan.Core.Snapshots;
using Portolan.Health.Matching;
using Portolan.Health.Ownership;
using Portolan.Health.Probing;
using Portolan.Health.Reporting;
using Portolan.Health.Scheduling;
using Portolan.Health.Subjects;

namespace Portolan.Health.Bench;

/// <summary>
/// The engine alone at scale: N subjects (the loopback targets of <see cref="LoopbackTargets"/>, served by another
/// process) probed every interval with the real scheduler and prober. Reports probes per second against the
/// schedule, probe lag (start time versus due time), outcomes and this process's CPU use.
/// </summary>
internal static class ScaleRun
{
    public static async Task<int> RunAsync(int addresses, int ports, int basePort, TimeSpan interval, TimeSpan duration, ProbeProtocol protocol)
    {
        var subjects = LoopbackTargets.EndPoints(1, addresses, ports, basePort).Select((ep, i) => new HealthSubject(
            new SubjectKey(SubjectKind.Target, "bench", i.ToString(CultureInfo.InvariantCulture)),
            new ProbeSpec(protocol, false, ep.Address.ToString(), ep.Port, protocol == ProbeProtocol.Tcp ? null : "/health", CodeMatcher.Http200, TimeSpan.FromSeconds(2), "ELB-HealthChecker/2.0"),
            new HealthPolicy(interval, 5, 2, 1), 1, Thresholds.HealthState.Initial)).ToArray();

        var view = new HealthView();
        using var prober = new NetworkProber(TimeProvider.System);
        var source = new FixedSnapshot();
        await using var scheduler = new HealthScheduler(source, [new FixedSubjects(subjects)], new AllSubjects(), prober, view,
            Options.Create(new HealthOptions()), TimeProvider.System, NullLogger<HealthScheduler>.Instance);
        await scheduler.StartAsync(CancellationToken.None);
        Console.WriteLine($"scale: {subjects.Length} {protocol} subjects every {interval.TotalSeconds} s; warming up for {2 * interval.TotalSeconds} s");
        await Task.Delay(2 * interval);

        var process = Process.GetCurrentProcess();
        var lag0 = view.Statistics.LagHistogram();
        var probes0 = view.Statistics.Probes;
        var outcomes0 = Enum.GetValues<ProbeOutcome>().ToDictionary(o => o, view.Statistics.CountOf);
        var gc0 = (GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2));
        process.Refresh();
        var cpu0 = process.TotalProcessorTime;
        var wall = Stopwatch.StartNew();
        while (wall.Elapsed < duration)
        {
            await Task.Delay(TimeSpan.FromSeconds(5));
            Console.WriteLine($"  t={wall.Elapsed.TotalSeconds:0}s probes={view.Statistics.Probes - probes0} inflight={view.Statistics.InFlight}");
        }
        process.Refresh();
        var seconds = wall.Elapsed.TotalSeconds;
        var cpu = (process.TotalProcessorTime - cpu0).TotalSeconds;
        var probes = view.Statistics.Probes - probes0;
        var lag = view.Statistics.LagHistogram().Zip(lag0, (a, b) => a - b).ToArray();

        Console.WriteLine($"result: subjects={subjects.Length} interval_s={interval.TotalSeconds} measured_s={seconds:0.0}");
        Console.WriteLine($"result: probes={probes} probes_per_s={probes / seconds:0} scheduled_per_s={subjects.Length / interval.TotalSeconds:0}");
        Console.WriteLine($"result: outcomes {string.Join(' ', Enum.GetValues<ProbeOutcome>().Select(o => (o, n: view.Statistics.CountOf(o) - outcomes0[o])).Where(x => x.n > 0).Select(x => $"{x.o}={x.n}"))}");
        Console.WriteLine($"result: lag_ms p50<={Quantile(lag, 0.5)} p90<={Quantile(lag, 0.9)} p99<={Quantile(lag, 0.99)} p99.9<={Quantile(lag, 0.999)} max<={Quantile(lag, 1)}");
        Console.WriteLine($"result: lag_histogram {string.Join(' ', lag.Select((n, i) => (n, i)).Where(x => x.n > 0).Select(x => $"<{Math.Pow(2, x.i)}ms:{x.n}"))}");
        Console.WriteLine($"result: cpu_cores={cpu / seconds:0.000} cpu_us_per_probe={cpu * 1e6 / Math.Max(1, probes):0.0} gc={GC.CollectionCount(0) - gc0.Item1}/{GC.CollectionCount(1) - gc0.Item2}/{GC.CollectionCount(2) - gc0.Item3} working_set_mib={process.WorkingSet64 / 1048576} threads={process.Threads.Count}");
        return 0;
    }

    /// <summary>Upper bound (ms) of the power-of-two bucket holding quantile q.</summary>
    private static double Quantile(long[] counts, double q)
    {
        var total = counts.Sum();
        if (total == 0) return 0;
        var rank = (long)Math.Ceiling(q * total);
        long seen = 0;
        for (var i = 0; i < counts.Length; i++)
        {
            seen += counts[i];
            if (seen >= rank) return Math.Pow(2, i);
        }
        return double.PositiveInfinity;
    }

    private sealed class FixedSnapshot : ISnapshotSource
    {
        public RegistrySnapshot Current => RegistrySnapshot.Empty;
        public ValueTask WaitForRevisionAsync(long revision, CancellationToken cancellationToken = default) => ValueTask.CompletedTask;
        public async ValueTask WaitForChangeAsync(long revision, CancellationToken cancellationToken = default) => await Task.Delay(Timeout.Infinite, cancellationToken);
    }

    /// <summary>Lists a fixed set of subjects; crossings are counted by the engine and not written anywhere.</summary>
    private sealed class FixedSubjects(HealthSubject[] subjects) : IHealthSubjectAdapter
    {
        public SubjectKind Kind => SubjectKind.Target;
        public void Collect(RegistrySnapshot snapshot, List<HealthSubject> into) => into.AddRange(subjects);
        public Task WriteAsync(IReadOnlyList<HealthCrossing> crossings, CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
