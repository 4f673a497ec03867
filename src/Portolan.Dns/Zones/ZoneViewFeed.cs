using Microsoft.Extensions.Logging;
using Portolan.Core.Snapshots;

namespace Portolan.Dns.Zones;

/// <summary>
/// Keeps a <see cref="ZoneView"/> in step with the registry snapshot: builds one at start, then rebuilds
/// whenever a newer snapshot is published and swaps it in with one reference write. One loop does every build,
/// always from the newest snapshot, so a burst of changes costs one rebuild, not one per change. A build that
/// throws keeps the last good view (and is logged), so a bad record can never take DNS down.
/// </summary>
internal sealed partial class ZoneViewFeed(ISnapshotSource snapshots, ZoneViewOptions options, ILogger<ZoneViewFeed> logger) : IZoneViewSource, IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private ZoneView _current = ZoneView.Empty;
    private long _attempted = -1;
    private Task? _loop;
    private int _disposed;

    public ZoneView Current => Volatile.Read(ref _current);

    /// <summary>Builds the first view synchronously (so the server never answers from an empty one), then follows changes.</summary>
    public void Start()
    {
        if (_loop is not null) return;
        Rebuild(snapshots.Current);
        _loop = Task.Run(() => FollowAsync(_stop.Token));
    }

    private async Task FollowAsync(CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            try
            {
                await snapshots.WaitForChangeAsync(_attempted, ct);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }

            Rebuild(snapshots.Current);
        }
    }

    private void Rebuild(RegistrySnapshot snapshot)
    {
        // A failed build is not retried on the same snapshot: the loop waits for the next one.
        _attempted = snapshot.Revision;
        try
        {
            var view = ZoneViewBuilder.Build(snapshot, options, Current);
            Volatile.Write(ref _current, view);
            if (logger.IsEnabled(LogLevel.Debug)) LogBuilt(logger, view.Revision, view.ZoneCount, view.NameCount);
        }
        catch (Exception e)
        {
            LogBuildFailed(logger, e, snapshot.Revision);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        await _stop.CancelAsync();
        if (_loop is not null) await _loop;
        _stop.Dispose();
    }

    [LoggerMessage(DnsEventIds.ZoneViewBuilt, LogLevel.Debug, "DNS zone view built at revision {Revision}: {Zones} zones, {Names} names.")]
    private static partial void LogBuilt(ILogger logger, long revision, int zones, int names);

    [LoggerMessage(DnsEventIds.ZoneViewBuildFailed, LogLevel.Error, "DNS zone view build failed at revision {Revision}; answering from the previous view.")]
    private static partial void LogBuildFailed(ILogger logger, Exception exception, long revision);
}
