using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Portolan.Core.Snapshots;
using Portolan.Health.Ownership;
using Portolan.Health.Probing;
using Portolan.Health.Reporting;
using Portolan.Health.Subjects;

namespace Portolan.Health.Scheduling;

/// <summary>
/// The health engine: follows the registry snapshot, keeps one <see cref="SubjectRunner"/> per subject this node
/// owns, and hands threshold crossings to the <see cref="CrossingWriter"/>. Reconciling is one loop woken by a new
/// snapshot or an ownership change; it diffs the subjects the adapters list against the runners by key, so an
/// unchanged subject costs a dictionary lookup and a reference compare.
/// </summary>
public sealed partial class HealthScheduler : IHostedService, IAsyncDisposable
{
    private readonly ISnapshotSource _snapshots;
    private readonly IHealthSubjectAdapter[] _adapters;
    private readonly IHealthCheckOwnership _ownership;
    private readonly IProber _prober;
    private readonly HealthView _view;
    private readonly HealthOptions _options;
    private readonly ILogger _logger;
    private readonly ProbeContext _context;
    private readonly CrossingWriter _writer;
    private readonly Channel<bool> _bell = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private readonly Dictionary<SubjectKey, SubjectRunner> _runners = [];
    private readonly List<HealthSubject> _listed = [];
    private readonly HashSet<SubjectKey> _wanted = [];
    private readonly List<(string Host, int Port)> _released = [];
    private readonly CancellationTokenSource _stop = new();
    private Task _loops = Task.CompletedTask;
    private int _disposed;

    public HealthScheduler(ISnapshotSource snapshots, IEnumerable<IHealthSubjectAdapter> adapters, IHealthCheckOwnership ownership, IProber prober,
        HealthView view, IOptions<HealthOptions> options, TimeProvider time, ILogger<HealthScheduler> logger)
    {
        _snapshots = snapshots;
        _adapters = [.. adapters];
        _ownership = ownership;
        _prober = prober;
        _view = view;
        _options = options.Value;
        _logger = logger;
        _context = new ProbeContext(time, prober, new SemaphoreSlim(Math.Max(1, _options.MaxConcurrentProbes)), view.Statistics, _options.Jitter, OnCrossing);
        _writer = new CrossingWriter(_adapters.ToDictionary(a => a.Kind), Math.Max(1, _options.MaxCrossingsPerWrite), view.Statistics, time, logger);
    }

    /// <summary>Subjects being probed on this node.</summary>
    public int Scheduled => _view.Count;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _ownership.Changed += Ring;
        var ct = _stop.Token;
        _loops = Task.WhenAll(
            Task.Run(() => FollowSnapshotsAsync(ct), CancellationToken.None),
            Task.Run(() => ReconcileLoopAsync(ct), CancellationToken.None),
            Task.Run(() => _writer.RunAsync(ct), CancellationToken.None));
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_stop.IsCancellationRequested) return;
        _ownership.Changed -= Ring;
        await _stop.CancelAsync();
        await _loops;
        var runners = _runners.Values.ToArray();
        foreach (var runner in runners) runner.Stop();
        await Task.WhenAll(runners.Select(r => r.Completion));
        _runners.Clear();
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        await StopAsync(CancellationToken.None);
        _stop.Dispose();
        _context.Slots.Dispose();
    }

    private void Ring() => _bell.Writer.TryWrite(true);

    private async Task FollowSnapshotsAsync(CancellationToken ct)
    {
        var revision = _snapshots.Current.Revision;
        Ring();
        try
        {
            while (true)
            {
                await _snapshots.WaitForChangeAsync(revision, ct);
                revision = _snapshots.Current.Revision;
                Ring();
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
    }

    private async Task ReconcileLoopAsync(CancellationToken ct)
    {
        var initial = true;
        try
        {
            while (await _bell.Reader.WaitToReadAsync(ct))
            {
                _bell.Reader.TryRead(out _);
                try
                {
                    Reconcile(_snapshots.Current, initial);
                    initial = false;
                }
                catch (Exception e) when (!ct.IsCancellationRequested)
                {
                    // Keep probing what was scheduled; the next snapshot tries again.
                    LogReconcileFailed(_logger, e);
                }
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
    }

    /// <summary>Starts, updates and stops runners to match the subjects in <paramref name="snapshot"/> that this node owns.</summary>
    internal void Reconcile(RegistrySnapshot snapshot, bool initial)
    {
        _listed.Clear();
        _wanted.Clear();
        foreach (var adapter in _adapters) adapter.Collect(snapshot, _listed);

        foreach (var subject in _listed)
        {
            if (!_ownership.Owns(subject.Key) || !_wanted.Add(subject.Key)) continue;
            if (_runners.TryGetValue(subject.Key, out var runner))
            {
                var current = runner.Subject;
                if (ReferenceEquals(current, subject)) continue;
                if (current.Generation == subject.Generation)
                {
                    if (current.Spec != subject.Spec) _prober.Forget(current.Spec);
                    runner.Record.Update(subject);
                    continue;
                }
                runner.Stop();
            }
            Start(subject, FirstDelay(subject, initial));
        }

        if (_runners.Count == _wanted.Count) return;
        List<SubjectKey>? gone = null;
        foreach (var key in _runners.Keys)
        {
            if (!_wanted.Contains(key)) (gone ??= []).Add(key);
        }
        foreach (var key in gone ?? [])
        {
            var runner = _runners[key];
            runner.Stop();
            _runners.Remove(key);
            _view.Remove(key);
            _prober.Forget(runner.Subject.Spec);
            _released.Add((runner.Subject.Spec.Host, runner.Subject.Spec.Port));
        }
        ReleaseUnprobedEndpoints(gone);
    }

    /// <summary>Closes the probe connections of endpoints no remaining subject probes (a draining target's, say).</summary>
    private void ReleaseUnprobedEndpoints(List<SubjectKey>? gone)
    {
        if (gone is null) return;
        var probed = new HashSet<(string, int)>();
        foreach (var runner in _runners.Values) probed.Add((runner.Subject.Spec.Host, runner.Subject.Spec.Port));
        foreach (var (host, port) in _released)
        {
            if (!probed.Contains((host, port))) _prober.Release(host, port);
        }
        _released.Clear();
    }

    private void Start(HealthSubject subject, TimeSpan firstDelay)
    {
        var record = new SubjectRecord(subject, _options.HistoryLength);
        var runner = new SubjectRunner(record, _context);
        _runners[subject.Key] = runner;
        runner.Start(firstDelay);
        // Visible once its schedule is fixed (the first due time is taken synchronously in Start).
        _view.Set(subject.Key, record);
    }

    /// <summary>Subjects present at start spread over one interval; later ones are probed soon after they appear.</summary>
    private TimeSpan FirstDelay(HealthSubject subject, bool initial)
    {
        var window = initial ? subject.Policy.Interval : TimeSpan.FromTicks(Math.Min(_options.FirstProbeWithin.Ticks, subject.Policy.Interval.Ticks));
        return window * Random.Shared.NextDouble();
    }

    private void OnCrossing(HealthCrossing crossing)
    {
        _view.Statistics.Crossed();
        HealthMetrics.Crossed(crossing);
        LogCrossed(_logger, crossing.Key.ToString(), crossing.From, crossing.To, crossing.ReasonText ?? "");
        _writer.Enqueue(crossing);
    }

    [LoggerMessage(HealthEventIds.Crossed, LogLevel.Information, "Health of {Subject}: {From} -> {To}. {Reason}")]
    private static partial void LogCrossed(ILogger logger, string subject, Thresholds.HealthState from, Thresholds.HealthState to, string reason);

    [LoggerMessage(HealthEventIds.ReconcileFailed, LogLevel.Error, "Health check scheduling failed for this snapshot; probing continues as before.")]
    private static partial void LogReconcileFailed(ILogger logger, Exception exception);
}
