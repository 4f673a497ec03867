using System.Collections.Concurrent;
using Microsoft.Extensions.Hosting;
using Portolan.Core.Discovery;
using Portolan.Core.Snapshots;

namespace Portolan.WebConsole.Live;

/// <summary>
/// Each Cloud Map instance's health history as this node saw it in the registry: registration, every change of
/// status or reason (threshold crossings written by the health engine, custom health from the API), deregistration,
/// each with the revision and time it happened. It follows the snapshot, so it works for every kind of health and on
/// every node of a cluster, and costs nothing per query. In memory only, and only what changed since start-up (an
/// instance that never changed has no history: its state is in the registry). Bounded: <see cref="EntriesPerInstance"/>
/// entries per instance and <see cref="MaxInstances"/> instances, deregistered ones and then the quietest dropped first.
/// </summary>
internal sealed class HealthTimeline(ISnapshotSource snapshots, TimeProvider time) : BackgroundService
{
    public const int EntriesPerInstance = 50;
    public const int MaxInstances = 20_000;

    private readonly ConcurrentDictionary<(string ServiceId, string InstanceId), Entries> _instances = new();
    private RegistrySnapshot _seen = RegistrySnapshot.Empty;

    /// <summary>Oldest first; empty when the instance was never seen.</summary>
    public IReadOnlyList<HealthEvent> Of(string serviceId, string instanceId) =>
        _instances.TryGetValue((serviceId, instanceId), out var entries) ? entries.Copy() : [];

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        _seen = snapshots.Current;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await snapshots.WaitForChangeAsync(_seen.Revision, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            Observe(snapshots.Current);
        }
    }

    /// <summary>Records what changed between the last snapshot seen and <paramref name="next"/>.</summary>
    internal void Observe(RegistrySnapshot next)
    {
        var previous = _seen;
        foreach (var (id, service) in next.Services)
        {
            previous.Services.TryGetValue(id, out var before);
            // Entries are replaced whenever anything in them changes: the same object means nothing to record.
            if (ReferenceEquals(before, service)) continue;
            foreach (var (instanceId, instance) in service.Instances)
            {
                var status = service.StatusOf(instanceId);
                service.Health.TryGetValue(instanceId, out var health);
                if (before is null || !before.Instances.ContainsKey(instanceId))
                {
                    Add(id, instanceId, new HealthEvent(instance.Record.RegisteredAt, instance.ModRevision, "registered", Name(status), health?.Reason));
                    continue;
                }

                if (!ReferenceEquals(before.Instances[instanceId], instance))
                {
                    Add(id, instanceId, new HealthEvent(instance.Record.RegisteredAt, instance.ModRevision, "re-registered", Name(status), health?.Reason));
                    continue;
                }

                var oldStatus = before.StatusOf(instanceId);
                before.Health.TryGetValue(instanceId, out var oldHealth);
                if (oldStatus != status || oldHealth?.Reason != health?.Reason)
                {
                    Add(id, instanceId, new HealthEvent(health?.UpdatedAt ?? time.GetUtcNow(), next.Revision, "health", Name(status), health?.Reason));
                }
            }

            if (before is null) continue;
            foreach (var instanceId in before.Instances.Keys)
            {
                if (!service.Instances.ContainsKey(instanceId)) Add(id, instanceId, new HealthEvent(time.GetUtcNow(), next.Revision, "deregistered", null, null));
            }
        }

        foreach (var (id, before) in previous.Services)
        {
            if (next.Services.ContainsKey(id)) continue;
            foreach (var instanceId in before.Instances.Keys) Add(id, instanceId, new HealthEvent(time.GetUtcNow(), next.Revision, "deregistered", null, null));
        }

        _seen = next;
        Trim(next);
    }

    private void Add(string serviceId, string instanceId, HealthEvent entry) =>
        _instances.GetOrAdd((serviceId, instanceId), _ => new Entries()).Add(entry);

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

    private sealed class Entries
    {
        private readonly Queue<HealthEvent> _queue = new();

        public DateTimeOffset LastAt { get; private set; }

        public void Add(HealthEvent entry)
        {
            lock (_queue)
            {
                _queue.Enqueue(entry);
                if (_queue.Count > EntriesPerInstance) _queue.Dequeue();
                LastAt = entry.At;
            }
        }

        public HealthEvent[] Copy()
        {
            lock (_queue) return [.. _queue];
        }
    }
}

/// <summary>One entry of an instance's health history.</summary>
/// <param name="At">When it happened (the health record's time for health changes).</param>
/// <param name="Revision">The registry revision that carried it.</param>
/// <param name="Kind">registered, re-registered (new attributes), health, deregistered.</param>
/// <param name="Status">HEALTHY, UNHEALTHY or UNKNOWN as Cloud Map reports it; null once deregistered.</param>
/// <param name="Reason">Why, when the writer said (the health engine's AWS reason code and probe detail).</param>
internal sealed record HealthEvent(DateTimeOffset At, long Revision, string Kind, string? Status, string? Reason);
