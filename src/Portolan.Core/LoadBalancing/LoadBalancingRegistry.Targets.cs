using Portolan.Core.LoadBalancing.Validation;
using Portolan.Core.Registry;
using Portolan.Storage;
using static Portolan.Core.LoadBalancing.LoadBalancingKeys;

namespace Portolan.Core.LoadBalancing;

public sealed partial class LoadBalancingRegistry
{
    /// <summary>
    /// Registers targets (the group's port unless a target names its own). A target already registered stays as it is;
    /// a draining one is registered again. New targets start <c>initial</c> (or <c>unused</c> while no load balancer
    /// uses the group) until the health engine's first verdict.
    /// </summary>
    public Task RegisterTargetsAsync(string? targetGroupArn, IReadOnlyList<TargetDescription> targets, CancellationToken ct = default)
    {
        if (targets.Count == 0) throw ElbErrors.Validation("At least one target must be specified");
        return CommitAsync(s =>
        {
            var tg = RequireTargetGroup(s, targetGroupArn);
            var now = Now();
            var writes = new Dictionary<TargetKey, TargetRecord>();
            foreach (var t in targets)
            {
                var key = Validation.Targets.Key(tg.Record, t);
                if (tg.Targets.TryGetValue(key, out var existing) && !existing.Record.IsDraining) continue;
                writes[key] = new TargetRecord { Id = key.Id, Port = key.Port, AvailabilityZone = t.AvailabilityZone, RegisteredAt = now };
            }
            if (writes.Count == 0) return new Plan<bool>(null, true);

            var limit = LoadBalancingOptions.Effective(_options.MaxTargetsPerTargetGroup, Strict, 1000);
            var total = tg.Targets.Count + writes.Keys.Count(k => !tg.Targets.ContainsKey(k));
            if (limit > 0 && total > limit)
                throw new RegistryException(ElbErrors.TooManyTargets, $"You've reached the limit on the number of targets ({limit}) for target group '{tg.Arn}'");

            var ops = new List<TxnOp>(writes.Count + 1) { TxnOp.Put(TargetsRevision(tg.Id), Touched) };
            // Lease 0 detaches a re-registered draining target from its drain lease.
            foreach (var (key, record) in writes) ops.Add(TxnOp.Put(Target(tg.Id, key), LoadBalancingJson.Serialize(record)));
            return new Plan<bool>(new Txn(TargetsGuard(tg), ops), true);
        }, ct);
    }

    /// <summary>
    /// Deregisters targets. In a group a load balancer uses, each drains for <c>deregistration_delay.timeout_seconds</c>
    /// (no new requests, in-flight ones finish; <c>draining</c> until the deadline, when the store's lease removes it);
    /// otherwise, or with a delay of 0, it goes at once. A target that is not registered is InvalidTarget.
    /// </summary>
    public async Task DeregisterTargetsAsync(string? targetGroupArn, IReadOnlyList<TargetDescription> targets, CancellationToken ct = default)
    {
        if (targets.Count == 0) throw ElbErrors.Validation("At least one target must be specified");
        var before = RequireTargetGroup(Current, targetGroupArn);
        var delay = before.Settings.DeregistrationDelay;
        // The lease is granted ahead of the transaction; if the plan ends up not needing it, it expires holding nothing.
        var lease = before.InUse && delay > TimeSpan.Zero ? await _store.GrantLeaseAsync(delay, ct) : 0;

        await CommitAsync(s =>
        {
            var tg = RequireTargetGroup(s, targetGroupArn);
            var now = Now();
            var keys = targets.Select(t => Validation.Targets.Key(tg.Record, t)).Distinct().ToList();
            var missing = keys.Where(k => !tg.Targets.ContainsKey(k)).ToList();
            if (missing.Count > 0)
                throw Validation.Targets.Invalid($"The following targets are not in target group '{tg.Arn}': {string.Join(", ", missing.Select(k => $"'{k}'"))}");

            var ops = new List<TxnOp> { TxnOp.Put(TargetsRevision(tg.Id), Touched) };
            foreach (var key in keys)
            {
                var target = tg.Targets[key].Record;
                if (target.IsDraining) continue;
                ops.Add(TxnOp.Delete(Health(tg.Id, key)));
                if (lease == 0 || !tg.InUse)
                {
                    ops.Add(TxnOp.Delete(Target(tg.Id, key)));
                    continue;
                }
                var draining = target with { DrainingSince = now, DrainingDeadline = now + delay };
                ops.Add(TxnOp.Put(Target(tg.Id, key), LoadBalancingJson.Serialize(draining), lease));
            }
            return ops.Count == 1 ? new Plan<bool>(null, true) : new Plan<bool>(new Txn(TargetsGuard(tg), ops), true);
        }, ct);
    }

    /// <summary>
    /// The health engine's entry point: records a target's state on a threshold crossing (<see cref="TargetHealthState.Initial"/>,
    /// <see cref="TargetHealthState.Healthy"/> or <see cref="TargetHealthState.Unhealthy"/>, with AWS's reason code and a
    /// description). Writes only when the state or reason changes, and only while the target is registered and not
    /// draining; returns whether it wrote.
    /// </summary>
    public Task<bool> SetTargetHealthAsync(string targetGroupArn, TargetKey target, TargetHealthState state, TargetHealthReason? reason,
        string? description, CancellationToken ct = default)
    {
        if (state is not (TargetHealthState.Initial or TargetHealthState.Healthy or TargetHealthState.Unhealthy))
            throw new ArgumentOutOfRangeException(nameof(state), state, "The health engine records initial, healthy or unhealthy; the other states follow from the registry.");
        return CommitAsync(s =>
        {
            if (s.FindTargetGroup(targetGroupArn) is not { } tg || !tg.Targets.TryGetValue(target, out var entry) || entry.Record.IsDraining)
                return new Plan<bool>(null, false);
            if (entry.Health is { } current && current.State == state && current.Reason == reason) return new Plan<bool>(null, false);
            var health = new TargetHealthRecord(state, reason, description, Now());
            return new Plan<bool>(new Txn([Compare.ModRevisionIs(Target(tg.Id, target), entry.ModRevision)],
                [TxnOp.Put(Health(tg.Id, target), LoadBalancingJson.Serialize(health))]), true);
        }, ct);
    }

    /// <summary>Registrations of one group serialise on its registration key, and the group must still be the one read.</summary>
    private static Compare[] TargetsGuard(TargetGroupEntry tg) =>
    [
        Compare.CreateRevisionIs(TargetGroup(tg.Id), tg.CreateRevision),
        Compare.ModRevisionIs(TargetsRevision(tg.Id), tg.TargetsKeyRevision),
    ];
}
