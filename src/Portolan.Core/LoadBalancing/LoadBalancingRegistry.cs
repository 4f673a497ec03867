using System.Collections.Immutable;
using Microsoft.Extensions.Options;
using Portolan.Core.Registry;
using Portolan.Core.Snapshots;
using Portolan.Storage;
using static Portolan.Core.LoadBalancing.LoadBalancingKeys;

namespace Portolan.Core.LoadBalancing;

/// <summary>
/// The single writer of load-balancing state (ELBv2 resources, targets and their health). Each command validates
/// against the current snapshot and commits one store transaction through the shared <see cref="SnapshotCommitter"/>;
/// it returns once the change is visible in <see cref="ISnapshotSource.Current"/>, so a caller reads its own writes.
/// Rejections are <see cref="RegistryException"/>s whose code is ELB's wire code (<see cref="ElbErrors"/>); nothing is
/// written then. Readers (API, data plane, health engine) use <see cref="RegistrySnapshot.LoadBalancing"/>.
/// </summary>
public sealed partial class LoadBalancingRegistry
{
    private static readonly byte[] Touched = "1"u8.ToArray();

    private readonly IStore _store;
    private readonly SnapshotCommitter _committer;
    private readonly ISnapshotSource _snapshots;
    private readonly RegistryOptions _registryOptions;
    private readonly LoadBalancingOptions _options;
    private readonly TimeProvider _time;

    public LoadBalancingRegistry(IStore store, ISnapshotSource snapshots, IOptions<RegistryOptions> registryOptions,
        IOptions<LoadBalancingOptions> options, TimeProvider time)
    {
        _store = store;
        _committer = new SnapshotCommitter(store, snapshots);
        _snapshots = snapshots;
        _registryOptions = registryOptions.Value;
        _options = options.Value;
        _time = time;
        Arns = new ElbArns(_registryOptions.Region, _registryOptions.Account);
    }

    public ElbArns Arns { get; }

    /// <summary>The current load-balancing state.</summary>
    public LoadBalancingSnapshot Current => _snapshots.Current.LoadBalancing;

    private bool Strict => _registryOptions.StrictAws;

    private DateTimeOffset Now() => _time.GetUtcNow();

    /// <summary>What a configuration command decided: the writes (null = nothing to write) and its result.</summary>
    private readonly record struct ConfigPlan<T>(List<TxnOp>? Ops, T Result);

    /// <summary>
    /// Commits a configuration change guarded by the config key (see <see cref="LoadBalancingKeys"/>): any other
    /// configuration change committed meanwhile makes the compare fail, and the command is planned again.
    /// </summary>
    private Task<T> ConfigureAsync<T>(Func<LoadBalancingSnapshot, ConfigPlan<T>> plan, CancellationToken ct) =>
        _committer.CommitAsync(rs =>
        {
            var s = rs.LoadBalancing;
            var decided = plan(s);
            if (decided.Ops is null) return new Plan<T>(null, decided.Result);
            decided.Ops.Add(TxnOp.Put(Config, Touched));
            return new Plan<T>(new Txn([Compare.ModRevisionIs(Config, s.ConfigRevision)], decided.Ops), decided.Result);
        }, ct);

    private Task<T> CommitAsync<T>(Func<LoadBalancingSnapshot, Plan<T>> plan, CancellationToken ct) =>
        _committer.CommitAsync(rs => plan(rs.LoadBalancing), ct);

    private static TxnOp TagsWrite(string arn, IReadOnlyList<KeyValuePair<string, string?>> tags)
    {
        var map = ImmutableSortedDictionary.CreateBuilder<string, string>(StringComparer.Ordinal);
        foreach (var (k, v) in tags) map[k] = v ?? "";
        return TxnOp.Put(Tags(arn), LoadBalancingJson.Serialize(map.ToImmutable()));
    }

    private static LoadBalancerEntry RequireLoadBalancer(LoadBalancingSnapshot s, string? arn)
    {
        if (!ElbArns.IsWellFormed(arn, ElbResourceKind.LoadBalancer)) throw ElbErrors.Validation($"'{arn}' is not a valid load balancer ARN");
        return s.FindLoadBalancer(arn) ?? throw ElbErrors.LoadBalancerMissing();
    }

    private static TargetGroupEntry RequireTargetGroup(LoadBalancingSnapshot s, string? arn)
    {
        if (!ElbArns.IsWellFormed(arn, ElbResourceKind.TargetGroup)) throw ElbErrors.Validation($"'{arn}' is not a valid target group ARN");
        return s.FindTargetGroup(arn) ?? throw ElbErrors.TargetGroupMissing();
    }

    private static ListenerEntry RequireListener(LoadBalancingSnapshot s, string? arn)
    {
        if (!ElbArns.IsWellFormed(arn, ElbResourceKind.Listener)) throw ElbErrors.Validation($"'{arn}' is not a valid listener ARN");
        return s.FindListener(arn) ?? throw ElbErrors.ListenerMissing();
    }

    private static void CheckQuota(int limit, int current, string code, string message)
    {
        if (limit > 0 && current >= limit) throw new RegistryException(code, message);
    }
}
