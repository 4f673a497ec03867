using System.Collections.Concurrent;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Portolan.Core.Snapshots;
using Portolan.Health.Ownership;
using Portolan.Health.Probing;
using Portolan.Health.Reporting;
using Portolan.Health.Scheduling;
using Portolan.Health.Subjects;
using Portolan.Health.Thresholds;

namespace Portolan.Health.Tests.Support;

/// <summary>
/// The real <see cref="HealthScheduler"/> on a virtual clock, fed subjects by a recording adapter and probed by a
/// scripted prober: the scheduling and threshold logic without sockets or wall-clock time (the probers have their
/// own tests against real targets, and the end-to-end test runs everything for real).
/// </summary>
internal sealed class SchedulerHarness : IAsyncDisposable
{
    public FakeTimeProvider Time { get; } = new(DateTimeOffset.Parse("2026-01-01T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
    public Snapshots Source { get; } = new();
    public RecordingAdapter Adapter { get; } = new();
    public ScriptedProber Prober { get; } = new();
    public HealthView View { get; } = new();
    public SwitchableOwnership Ownership { get; } = new();
    public HealthScheduler Scheduler { get; }

    /// <summary>The ownership the scheduler uses: <see cref="Ownership"/> unless the test gave another.</summary>
    public IHealthCheckOwnership OwnedBy { get; }

    public int MaxConcurrentProbes { get; }

    public SchedulerHarness(int maxConcurrentProbes = 64, IHealthCheckOwnership? ownership = null)
    {
        MaxConcurrentProbes = maxConcurrentProbes;
        OwnedBy = ownership ?? Ownership;
        var options = Options.Create(new HealthOptions { Jitter = 0, MaxConcurrentProbes = maxConcurrentProbes, FirstProbeWithin = TimeSpan.FromSeconds(1) });
        Scheduler = new HealthScheduler(Source, [Adapter], OwnedBy, Prober, View, options, Time, NullLogger<HealthScheduler>.Instance);
    }

    public static HealthSubject Subject(string id, TimeSpan interval, int healthy = 2, int unhealthy = 2, HealthState start = HealthState.Initial, long generation = 1) =>
        new(new SubjectKey(SubjectKind.Target, "tg", id), new ProbeSpec(ProbeProtocol.Tcp, false, id, 80, null, null, TimeSpan.FromSeconds(2)),
            new HealthPolicy(interval, healthy, unhealthy, 1), generation, start);

    /// <summary>Lists <paramref name="subjects"/> and publishes a new snapshot so the scheduler reconciles; waits until it has.</summary>
    public async Task SetSubjectsAsync(params HealthSubject[] subjects)
    {
        Adapter.Subjects = subjects;
        Source.Publish();
        await Eventually(() => subjects.Where(s => OwnedBy.Owns(s.Key)).All(s => View.TryGet(s.Key, out var r) && ReferenceEquals(r.Subject, s))
            && View.Count == subjects.Count(s => OwnedBy.Owns(s.Key)), "the scheduler to pick up the subjects");
    }

    /// <summary>Moves the virtual clock in steps of <paramref name="step"/>, letting runners react after each.</summary>
    public async Task AdvanceAsync(TimeSpan by, TimeSpan step)
    {
        for (var t = TimeSpan.Zero; t < by; t += step)
        {
            Time.Advance(step);
            await Settle();
        }
    }

    /// <summary>
    /// Waits until every runner sleeps until a future due time, except those stuck in a hung probe or waiting for a
    /// slot they hold (bounded by real time only to stop a broken run).
    /// </summary>
    public Task Settle() => Eventually(() =>
    {
        var records = View.Records.ToArray();
        var probing = records.Count(r => r.Phase == RunnerPhase.Probing);
        var waiting = records.Count(r => r.Phase == RunnerPhase.WaitingForSlot);
        var now = Time.GetTimestamp();
        var sleeping = records.Count(r => r.Phase == RunnerPhase.Sleeping && r.NextDue > now);
        return probing == Prober.Hanging && (waiting == 0 || probing == MaxConcurrentProbes) && sleeping + waiting + probing == records.Length;
    }, "runners to settle");

    /// <summary>Waits until the adapter has received <paramref name="count"/> crossings.</summary>
    public Task Written(int count) => Eventually(() => Adapter.Written.Count >= count, $"{count} crossings written");

    public static async Task Eventually(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) Assert.Fail($"Timed out waiting for: {what}");
            await Task.Delay(2);
        }
    }

    public async ValueTask DisposeAsync() => await Scheduler.DisposeAsync();

    internal sealed class Snapshots : ISnapshotSource
    {
        private readonly Lock _lock = new();
        private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public RegistrySnapshot Current { get; private set; } = RegistrySnapshot.Empty;

        public void Publish()
        {
            TaskCompletionSource changed;
            lock (_lock)
            {
                Current = Current with { Revision = Current.Revision + 1 };
                changed = _changed;
                _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }
            changed.TrySetResult();
        }

        public async ValueTask WaitForRevisionAsync(long revision, CancellationToken cancellationToken = default)
        {
            while (true)
            {
                Task changed;
                lock (_lock)
                {
                    if (Current.Revision >= revision) return;
                    changed = _changed.Task;
                }
                await changed.WaitAsync(cancellationToken);
            }
        }

        public ValueTask WaitForChangeAsync(long revision, CancellationToken cancellationToken = default) => WaitForRevisionAsync(revision + 1, cancellationToken);
    }

    internal sealed class RecordingAdapter : IHealthSubjectAdapter
    {
        public IReadOnlyList<HealthSubject> Subjects { get; set; } = [];
        public ConcurrentQueue<HealthCrossing> Written { get; } = new();
        public SubjectKind Kind => SubjectKind.Target;

        public void Collect(RegistrySnapshot snapshot, List<HealthSubject> into) => into.AddRange(Subjects);

        public Task WriteAsync(IReadOnlyList<HealthCrossing> crossings, CancellationToken cancellationToken)
        {
            foreach (var c in crossings) Written.Enqueue(c);
            return Task.CompletedTask;
        }
    }

    /// <summary>Answers each probe from <see cref="Outcomes"/> by host (default Success); hosts in <see cref="Hung"/> never answer.</summary>
    internal sealed class ScriptedProber(TimeProvider? time = null) : IProber
    {
        private int _hanging;

        public ConcurrentDictionary<string, ProbeOutcome> Outcomes { get; } = new();
        public ConcurrentDictionary<string, bool> Hung { get; } = new();
        public ConcurrentDictionary<string, int> Calls { get; } = new();
        public int Hanging => Volatile.Read(ref _hanging);
        public ConcurrentBag<string> Forgotten { get; } = [];

        public int CallsTo(string host) => Calls.GetValueOrDefault(host);

        public async Task<ProbeResult> ProbeAsync(ProbeSpec spec, CancellationToken cancellationToken)
        {
            Calls.AddOrUpdate(spec.Host, 1, (_, n) => n + 1);
            if (Hung.ContainsKey(spec.Host))
            {
                Interlocked.Increment(ref _hanging);
                try
                {
                    await Task.Delay(Timeout.Infinite, cancellationToken);
                }
                finally
                {
                    Interlocked.Decrement(ref _hanging);
                }
            }
            var outcome = Outcomes.GetValueOrDefault(spec.Host, ProbeOutcome.Success);
            return new ProbeResult((time ?? TimeProvider.System).GetUtcNow(), outcome, TimeSpan.FromMilliseconds(1), outcome == ProbeOutcome.WrongStatus ? 503 : 200, outcome.ToString());
        }

        public void Forget(ProbeSpec spec) => Forgotten.Add(spec.Host);

        public ConcurrentBag<string> Released { get; } = [];

        public void Release(string host, int port) => Released.Add($"{host}:{port}");
    }

    /// <summary>Owns every subject except those in <see cref="NotMine"/>; <see cref="Raise"/> tells the scheduler.</summary>
    internal sealed class SwitchableOwnership : IHealthCheckOwnership
    {
        public ConcurrentDictionary<string, bool> NotMine { get; } = new();
        public bool Owns(SubjectKey subject) => !NotMine.ContainsKey(subject.Id);
        public event Action? Changed;
        public void Raise() => Changed?.Invoke();
    }
}
