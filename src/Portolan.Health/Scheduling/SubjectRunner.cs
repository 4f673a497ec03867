using Portolan.Health.Probing;
using Portolan.Health.Reporting;
using Portolan.Health.Subjects;

namespace Portolan.Health.Scheduling;

/// <summary>
/// Probes one subject for as long as it is scheduled: an async loop (no thread) that sleeps on the clock until the
/// next due time, takes a concurrency slot, probes, counts the result and reports a crossing. Due times advance by
/// the interval from the schedule, not from when the probe ended, so a slow probe doesn't drift the schedule; a
/// runner that fell a whole interval behind skips ahead rather than probing in a burst to catch up.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "The loop disposes its token source when it ends; Stop only cancels it.")]
internal sealed class SubjectRunner
{
    private readonly CancellationTokenSource _stop = new();
    private readonly ProbeContext _context;

    public SubjectRunner(SubjectRecord record, ProbeContext context)
    {
        Record = record;
        _context = context;
    }

    public SubjectRecord Record { get; }

    public HealthSubject Subject => Record.Subject;

    public Task Completion { get; private set; } = Task.CompletedTask;

    public void Start(TimeSpan firstDelay) => Completion = RunAsync(firstDelay, _stop.Token);

    public void Stop()
    {
        try
        {
            _stop.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // Already ended.
        }
    }

    private async Task RunAsync(TimeSpan firstDelay, CancellationToken ct)
    {
        var time = _context.Time;
        var due = time.GetTimestamp() + Ticks(firstDelay, time);
        try
        {
            while (!ct.IsCancellationRequested)
            {
                Record.NextDue = due;
                var wait = time.GetTimestamp() - due;
                if (wait < 0)
                {
                    // The phase changes once the timer is registered, so a virtual clock moved after it sees a sleeper.
                    var sleep = Task.Delay(TimeSpan.FromSeconds(-wait / (double)time.TimestampFrequency), time, ct);
                    Record.Phase = RunnerPhase.Sleeping;
                    await sleep;
                }

                var subject = Record.Subject;
                Record.Phase = RunnerPhase.WaitingForSlot;
                await _context.Slots.WaitAsync(ct);
                Record.Phase = RunnerPhase.Probing;
                var outcome = ProbeOutcome.Error;
                ProbeResult result;
                _context.Statistics.ProbeStarted(time.GetElapsedTime(due));
                try
                {
                    result = await _context.Prober.ProbeAsync(subject.Spec, ct);
                    outcome = result.Outcome;
                }
                catch (OperationCanceledException) when (ct.IsCancellationRequested)
                {
                    return;
                }
                catch (Exception e)
                {
                    // A prober bug must not end the check: count it as a failed probe and carry on.
                    result = new ProbeResult(time.GetUtcNow(), ProbeOutcome.Error, TimeSpan.Zero, null, e.Message);
                }
                finally
                {
                    _context.Slots.Release();
                    _context.Statistics.ProbeEnded(outcome);
                }

                if (ct.IsCancellationRequested) return;
                HealthMetrics.Probed(subject.Key.Kind, result);
                if (Record.Record(result) is { } crossing) _context.OnCrossing(crossing);

                var interval = Ticks(subject.Policy.Interval, time);
                due += Jittered(interval, _context.Jitter);
                if (time.GetTimestamp() - due > interval) due = time.GetTimestamp();
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
        finally
        {
            Record.Phase = RunnerPhase.Stopped;
            _stop.Dispose();
        }
    }

    private static long Ticks(TimeSpan span, TimeProvider time) => (long)(span.TotalSeconds * time.TimestampFrequency);

    private static long Jittered(long interval, double jitter) =>
        jitter <= 0 ? interval : interval + (long)(interval * jitter * (Random.Shared.NextDouble() - 0.5));
}

/// <summary>What every runner shares: the clock, the prober, the concurrency slots, the counters and where crossings go.</summary>
internal sealed record ProbeContext(TimeProvider Time, IProber Prober, SemaphoreSlim Slots, ProbeStatistics Statistics, double Jitter, Action<HealthCrossing> OnCrossing);
