using System.Collections.Concurrent;
using Microsoft.Extensions.Hosting;
using Portolan.Core.LoadBalancing;
using Portolan.Core.Snapshots;

namespace Portolan.WebConsole.Live;

/// <summary>
/// Each load-balancer target's health history as this node saw it: registration, every change of the state and reason
/// <c>DescribeTargetHealth</c> reports (threshold crossings written by the health engine, and the states that follow
/// from the registry: unused, draining, unavailable), and removal. It compares each new snapshot's load-balancing
/// section with the last one, skipping unchanged target groups by reference (the snapshot shares what did not change),
/// so it costs the size of what changed, works on every node of a cluster and costs nothing per query. Changes that
/// land in one published snapshot show as one entry. In memory only, since start-up; bounded like
/// <see cref="HealthTimeline"/>: <see cref="EntriesPerTarget"/> entries per target and <see cref="MaxTargets"/> targets.
/// </summary>
internal sealed class TargetHealthTimeline(ISnapshotSource snapshots, TimeProvider time) : BackgroundService
{
    public const int EntriesPerTarget = 50;
    public const int MaxTargets = 20_000;

    private readonly ConcurrentDictionary<(string TargetGroupArn, TargetKey Target), HealthHistory> _targets = new();

    /// <summary>Oldest first; empty when the target was never seen.</summary>
    public IReadOnlyList<HealthEvent> Of(string targetGroupArn, TargetKey target) =>
        _targets.TryGetValue((targetGroupArn, target), out var entries) ? entries.Copy() : [];

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var seen = snapshots.Current;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await snapshots.WaitForChangeAsync(seen.Revision, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }

            var current = snapshots.Current;
            Observe(seen.LoadBalancing, current.LoadBalancing);
            seen = current;
        }
    }

    /// <summary>Records what changed for targets between two load-balancing sections.</summary>
    internal void Observe(LoadBalancingSnapshot before, LoadBalancingSnapshot after)
    {
        if (ReferenceEquals(before, after)) return;
        var now = time.GetUtcNow();
        var revision = after.Revision;
        foreach (var (id, group) in after.TargetGroups)
        {
            var old = before.TargetGroups.GetValueOrDefault(id);
            if (ReferenceEquals(old, group)) continue;
            foreach (var (key, target) in group.Targets)
            {
                var health = group.HealthOf(target);
                if (old is null || !old.Targets.TryGetValue(key, out var was))
                {
                    Add(group.Arn, key, new HealthEvent(target.Record.RegisteredAt, revision, "registered", State(health), Reason(health)));
                    continue;
                }

                if (old.HealthOf(was) == health) continue;
                // A crossing carries its own time; a state that follows from the registry (draining, unused) starts now.
                var at = target.Health is { } h && !ReferenceEquals(h, was.Health) && h.State == health.State ? h.Since : now;
                Add(group.Arn, key, new HealthEvent(at, revision, "health", State(health), Reason(health)));
            }

            if (old is null) continue;
            foreach (var key in old.Targets.Keys)
            {
                if (!group.Targets.ContainsKey(key)) Add(group.Arn, key, new HealthEvent(now, revision, "removed", null, null));
            }
        }

        // Deleted target groups: their targets are gone with them.
        foreach (var (id, group) in before.TargetGroups)
        {
            if (after.TargetGroups.ContainsKey(id)) continue;
            foreach (var key in group.Targets.Keys) Add(group.Arn, key, new HealthEvent(now, revision, "removed", null, "target group deleted"));
        }

        Trim(after);
    }

    private void Add(string targetGroupArn, TargetKey target, HealthEvent entry) =>
        _targets.GetOrAdd((targetGroupArn, target), _ => new HealthHistory(EntriesPerTarget)).Add(entry);

    /// <summary>Over the cap, drops histories down to 90% of it: removed targets first, then the quietest.</summary>
    private void Trim(LoadBalancingSnapshot current)
    {
        if (_targets.Count <= MaxTargets) return;
        var drop = _targets
            .OrderBy(p => current.FindTargetGroup(p.Key.TargetGroupArn)?.Targets.ContainsKey(p.Key.Target) == true ? 1 : 0)
            .ThenBy(p => p.Value.LastAt)
            .Take(_targets.Count - MaxTargets * 9 / 10)
            .Select(p => p.Key)
            .ToList();
        foreach (var key in drop) _targets.TryRemove(key, out _);
    }

    private static string State(TargetHealth health) => WireNames.Of(health.State);

    private static string? Reason(TargetHealth health) => health.Reason is { } code
        ? health.Description is { Length: > 0 } description ? $"{WireNames.Of(code)}: {description}" : WireNames.Of(code)
        : health.Description;
}
