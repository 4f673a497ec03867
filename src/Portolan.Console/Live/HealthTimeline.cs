using System.Collections.Concurrent;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Portolan.Core.Discovery;
using Portolan.Core.Registry;
using Portolan.Core.Snapshots;
using Portolan.Storage;

namespace Portolan.WebConsole.Live;

/// <summary>
/// Each Cloud Map instance's health history as this node saw it in the registry: registration, every change of
/// status or reason (threshold crossings written by the health engine, custom health from the API), deregistration,
/// each with the revision and time it happened. It follows the store's watch of instance and health records, so it
/// costs the size of each change (not of the services it touches), works for every kind of health and on every node
/// of a cluster, and costs nothing per query. In memory only, and only what changed since start-up (an instance that
/// never changed has no history: its state is in the registry). Bounded: <see cref="EntriesPerInstance"/> entries
/// per instance and <see cref="MaxInstances"/> instances, deregistered ones and then the quietest dropped first.
/// </summary>
internal sealed partial class HealthTimeline(ISnapshotSource snapshots, IStore store, TimeProvider time, ILogger<HealthTimeline> logger) : BackgroundService
{
    public const int EntriesPerInstance = 50;
    public const int MaxInstances = 20_000;
    private static readonly TimeSpan RetryDelay = TimeSpan.FromMilliseconds(200);

    private readonly ConcurrentDictionary<(string ServiceId, string InstanceId), HealthHistory> _instances = new();

    /// <summary>Oldest first; empty when the instance was never seen.</summary>
    public IReadOnlyList<HealthEvent> Of(string serviceId, string instanceId) =>
        _instances.TryGetValue((serviceId, instanceId), out var entries) ? entries.Copy() : [];

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var seen = snapshots.Current.Revision;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await foreach (var batch in store.WatchAsync(InstanceChanges.Prefix, seen + 1, stoppingToken))
                {
                    if (batch.Events.Count > 0) await ObserveAsync(batch, stoppingToken);
                    seen = Math.Max(seen, batch.Revision);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (StoreCompactedException)
            {
                // The changes in between are gone from the store: the history goes on from now.
                seen = snapshots.Current.Revision;
            }
            catch (Exception e)
            {
                LogWatchFailed(logger, e.Message);
                await Task.Delay(RetryDelay, time, stoppingToken).ContinueWith(static _ => { }, CancellationToken.None);
            }
        }
    }

    /// <summary>Records one watch batch; the snapshot (at its revision or later) gives each service's health check.</summary>
    internal async Task ObserveAsync(WatchBatch batch, CancellationToken ct)
    {
        await snapshots.WaitForRevisionAsync(batch.Revision, ct);
        var snapshot = snapshots.Current;
        // A registration writes the instance's first health in the same revision (in no particular order within it):
        // that health belongs to the "registered" entry, not to an entry of its own.
        var changes = new List<(InstanceChange Change, long Revision, long Version)>(batch.Events.Count);
        Dictionary<(string, string, long), InstanceHealth>? firstHealth = null;
        HashSet<(string, string, long)>? registrations = null;
        foreach (var e in batch.Events)
        {
            if (!InstanceChanges.TryRead(e, out var change)) continue;
            var revision = e.Kv.ModRevision > 0 ? e.Kv.ModRevision : batch.Revision;
            changes.Add((change, revision, e.Kv.Version));
            if (change.Health is { } h) (firstHealth ??= [])[(change.ServiceId, change.InstanceId, revision)] = h;
            if (change.Registration && !change.Deleted) (registrations ??= []).Add((change.ServiceId, change.InstanceId, revision));
        }

        foreach (var (change, revision, version) in changes)
        {
            snapshot.Services.TryGetValue(change.ServiceId, out var service);
            var checks = service?.Record.HasHealthCheck == true;
            var key = (change.ServiceId, change.InstanceId, revision);
            if (change.Registration && change.Deleted)
            {
                Add(change, new HealthEvent(time.GetUtcNow(), revision, "deregistered", null, null));
            }
            else if (change.Registration)
            {
                var health = firstHealth?.GetValueOrDefault(key)
                    ?? (service?.Health.TryGetValue(change.InstanceId, out var h) == true ? h : null);
                var registeredAt = service?.Instances.TryGetValue(change.InstanceId, out var entry) == true ? entry.Record.RegisteredAt : time.GetUtcNow();
                Add(change, new HealthEvent(registeredAt, revision, version == 1 ? "registered" : "re-registered",
                    Name(checks ? health?.Status ?? HealthStatus.Unknown : HealthStatus.Unknown), health?.Reason));
            }
            else if (change.Health is { } health && registrations?.Contains(key) != true)
            {
                Add(change, new HealthEvent(health.UpdatedAt, revision, "health", Name(checks ? health.Status : HealthStatus.Unknown), health.Reason));
            }
        }

        Trim(snapshot);
    }

    private void Add(InstanceChange instance, HealthEvent entry) =>
        _instances.GetOrAdd((instance.ServiceId, instance.InstanceId), _ => new HealthHistory(EntriesPerInstance)).Add(entry);

    /// <summary>
    /// Over the cap, drops histories down to 90% of it (so trimming is rare): instances that are gone first, then
    /// those whose last entry is oldest.
    /// </summary>
    private void Trim(RegistrySnapshot current)
    {
        if (_instances.Count <= MaxInstances) return;
        var drop = _instances
            .OrderBy(p => current.Services.TryGetValue(p.Key.ServiceId, out var s) && s.Instances.ContainsKey(p.Key.InstanceId) ? 1 : 0)
            .ThenBy(p => p.Value.LastAt)
            .Take(_instances.Count - MaxInstances * 9 / 10)
            .Select(p => p.Key)
            .ToList();
        foreach (var key in drop) _instances.TryRemove(key, out _);
    }

    private static string Name(HealthStatus status) => status switch
    {
        HealthStatus.Healthy => "HEALTHY",
        HealthStatus.Unhealthy => "UNHEALTHY",
        _ => "UNKNOWN",
    };

    [LoggerMessage(1, LogLevel.Warning, "Health timeline: the registry watch failed ({Reason}); following it again.")]
    private static partial void LogWatchFailed(ILogger logger, string reason);
}

/// <summary>One entry of an instance's or a target's health history.</summary>
/// <param name="At">When it happened (the health record's time for health changes).</param>
/// <param name="Revision">The registry revision that carried it.</param>
/// <param name="Kind">registered, re-registered (new attributes), health, deregistered; for targets also removed (gone from the group).</param>
/// <param name="Status">Instances: HEALTHY, UNHEALTHY or UNKNOWN as Cloud Map reports it, null once deregistered. Targets: the
/// state DescribeTargetHealth reports (initial, healthy, unhealthy, unused, draining, unavailable), null once removed.</param>
/// <param name="Reason">Why, when the writer said (the health engine's AWS reason code and probe detail).</param>
internal sealed record HealthEvent(DateTimeOffset At, long Revision, string Kind, string? Status, string? Reason);
