using System.Collections.Concurrent;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Portolan.Health.Reporting;
using Portolan.Health.Subjects;

namespace Portolan.Health.Scheduling;

/// <summary>
/// Writes crossings through the registry: only the latest per subject (a flap written late is written once), as
/// many per transaction as allowed, one batch at a time. Crossings that arrive while a batch commits form the next
/// batch, so a lone crossing goes out at once and a thousand at once cost a handful of transactions. A failed
/// write is retried after a second unless a newer crossing replaced it.
/// </summary>
internal sealed partial class CrossingWriter(IReadOnlyDictionary<SubjectKind, IHealthSubjectAdapter> adapters, int maxPerWrite,
    ProbeStatistics statistics, TimeProvider time, ILogger logger)
{
    private readonly ConcurrentDictionary<SubjectKey, HealthCrossing> _pending = new();
    private readonly Channel<bool> _bell = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });

    public void Enqueue(HealthCrossing crossing)
    {
        _pending[crossing.Key] = crossing;
        _bell.Writer.TryWrite(true);
    }

    public async Task RunAsync(CancellationToken ct)
    {
        var batch = new List<HealthCrossing>();
        try
        {
            while (await _bell.Reader.WaitToReadAsync(ct))
            {
                _bell.Reader.TryRead(out _);
                foreach (var key in _pending.Keys)
                {
                    if (_pending.TryRemove(key, out var crossing)) batch.Add(crossing);
                }
                var failed = false;
                foreach (var group in batch.GroupBy(c => c.Key.Kind))
                {
                    if (!adapters.TryGetValue(group.Key, out var adapter)) continue;
                    foreach (var chunk in group.Chunk(maxPerWrite))
                    {
                        try
                        {
                            await adapter.WriteAsync(chunk, ct);
                            statistics.Wrote(true);
                        }
                        catch (Exception e) when (!ct.IsCancellationRequested)
                        {
                            statistics.Wrote(false);
                            LogWriteFailed(logger, e, chunk.Length);
                            foreach (var c in chunk) _pending.TryAdd(c.Key, c);
                            failed = true;
                        }
                    }
                }
                batch.Clear();
                if (failed)
                {
                    await Task.Delay(TimeSpan.FromSeconds(1), time, ct);
                    _bell.Writer.TryWrite(true);
                }
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
    }

    [LoggerMessage(HealthEventIds.WriteFailed, LogLevel.Warning, "Writing {Count} health crossings failed; retrying.")]
    private static partial void LogWriteFailed(ILogger logger, Exception exception, int count);
}
