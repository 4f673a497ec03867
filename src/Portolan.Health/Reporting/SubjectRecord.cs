using Portolan.Health.Probing;
using Portolan.Health.Subjects;
using Portolan.Health.Thresholds;

namespace Portolan.Health.Reporting;

/// <summary>Where a runner's loop is.</summary>
internal enum RunnerPhase
{
    Starting,
    Sleeping,
    WaitingForSlot,
    Probing,
    Stopped,
}

/// <summary>
/// The live, mutable state of one subject: written by its runner after each probe, copied out by readers under a
/// short lock (the runner is the only writer, so the lock is never contended for long).
/// </summary>
internal sealed class SubjectRecord
{
    private readonly Lock _lock = new();
    private readonly ProbeResult[] _recent;
    private int _count;
    private int _next;
    private ThresholdCounter _counter;
    private HealthSubject _subject;
    private DateTimeOffset? _since;
    private ProbeResult? _lastFailure;
    private int _phase;
    private long _nextDue;

    public SubjectRecord(HealthSubject subject, int historyLength)
    {
        _subject = subject;
        _counter = new ThresholdCounter(subject.StartState);
        _recent = new ProbeResult[Math.Max(1, historyLength)];
    }

    /// <summary>What the subject's runner is doing; tests wait for every runner to be asleep before moving a virtual clock.</summary>
    public RunnerPhase Phase
    {
        get => (RunnerPhase)Volatile.Read(ref _phase);
        set => Volatile.Write(ref _phase, (int)value);
    }

    /// <summary>The clock timestamp (TimeProvider.GetTimestamp) of the next probe.</summary>
    public long NextDue
    {
        get => Volatile.Read(ref _nextDue);
        set => Volatile.Write(ref _nextDue, value);
    }

    public HealthSubject Subject
    {
        get { lock (_lock) return _subject; }
    }

    public HealthState State
    {
        get { lock (_lock) return _counter.State; }
    }

    /// <summary>A new spec or policy for the same registration: kept state, applied from the next probe.</summary>
    public void Update(HealthSubject subject)
    {
        lock (_lock) _subject = subject;
    }

    /// <summary>Counts a probe result; returns the crossing when it changed the state.</summary>
    public HealthCrossing? Record(ProbeResult result)
    {
        lock (_lock)
        {
            _recent[_next] = result;
            _next = (_next + 1) % _recent.Length;
            if (_count < _recent.Length) _count++;
            if (!result.Passed) _lastFailure = result;

            var from = _counter.State;
            if (!_counter.Record(result.Passed, _subject.Policy)) return null;
            _since = result.At;
            return new HealthCrossing(_subject.Key, _subject.Generation, from, _counter.State, HealthReason.For(_counter.State, _lastFailure), result.At);
        }
    }

    public SubjectHealthReport Report()
    {
        lock (_lock)
        {
            var recent = new ProbeResult[_count];
            for (var i = 0; i < _count; i++)
            {
                recent[i] = _recent[(_next - 1 - i + _recent.Length) % _recent.Length];
            }
            var last = _count > 0 ? recent[0] : (ProbeResult?)null;
            var reason = HealthReason.For(_counter.State, last is { Passed: false } ? last : _lastFailure);
            return new SubjectHealthReport(_subject, _counter.State, reason, _counter.ConsecutiveSuccesses, _counter.ConsecutiveFailures, _since, recent);
        }
    }
}
