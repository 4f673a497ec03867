using System.Collections.Immutable;
using Microsoft.Extensions.Options;
using Portolan.Core.Ecs.Model;
using Portolan.Core.Ecs.Snapshots;
using Portolan.Core.Registry;
using Portolan.Core.Snapshots;
using Portolan.Storage;

namespace Portolan.Core.Ecs.Registry;

/// <summary>
/// The single writer of ECS state: the API's commands and the runtime's and scheduler's state changes. Each command
/// plans against the current snapshot and commits one transaction guarded by the facts it checked, through the
/// shared <see cref="SnapshotCommitter"/>; it returns once readers see the write. Throws
/// <see cref="RegistryException"/> with ECS error names; nothing is written then.
/// </summary>
public sealed partial class EcsRegistry
{
    private readonly SnapshotCommitter _committer;
    private readonly ISnapshotSource _snapshots;
    private readonly RegistryOptions _options;
    private readonly EcsOptions _ecs;
    private readonly ITargetGroupCatalog _targetGroups;
    private readonly TimeProvider _time;
    private readonly IContainerInstances _instances;

    /// <param name="instances">Where tasks can be placed; this node alone when not given.</param>
    public EcsRegistry(IStore store, ISnapshotSource snapshots, IOptions<RegistryOptions> options, IOptions<EcsOptions> ecs,
        ITargetGroupCatalog targetGroups, TimeProvider time, IContainerInstances? instances = null)
    {
        _committer = new SnapshotCommitter(store, snapshots);
        _snapshots = snapshots;
        _options = options.Value;
        _ecs = ecs.Value;
        _targetGroups = targetGroups;
        _time = time;
        _instances = instances ?? new LocalContainerInstances(ecs);
        Arns = new EcsArns(_options.Region, _options.Account);
    }

    public EcsArns Arns { get; }
    public RegistryOptions Options => _options;
    public EcsOptions EcsOptions => _ecs;

    /// <summary>The container instance this node's tasks run on.</summary>
    public string NodeId => _ecs.NodeId;

    public ISnapshotSource Snapshots => _snapshots;

    /// <summary>The container instances tasks are placed on (the live nodes of a cluster; this node alone otherwise).</summary>
    public IContainerInstances Instances => _instances;

    private Task<T> CommitAsync<T>(Func<RegistrySnapshot, Plan<T>> plan, CancellationToken ct) => _committer.CommitAsync(plan, ct);

    private DateTimeOffset Now() => _time.GetUtcNow();

    /// <summary>The ACTIVE cluster a request names (name or ARN; absent = <c>default</c>).</summary>
    public static Stored<ClusterRecord> RequireCluster(EcsState s, string? nameOrArn)
    {
        var name = ClusterName(nameOrArn);
        var cluster = name is null ? null : s.Cluster(name);
        return cluster is { Record.IsActive: true } ? cluster : throw EcsErrors.NoCluster();
    }

    /// <summary>The cluster name a request means: its name, the name in its ARN, or <c>default</c> when absent.</summary>
    public static string? ClusterName(string? nameOrArn) => string.IsNullOrEmpty(nameOrArn) ? "default" : EcsArns.ClusterName(nameOrArn);

    /// <summary>A task definition reference resolved as ECS does: family (latest ACTIVE), family:revision or ARN.</summary>
    public static Stored<TaskDefinitionRecord>? FindTaskDefinition(EcsState s, string? reference) =>
        reference is not null && EcsArns.TaskDefinitionRef(reference) is { } r ? s.TaskDefinition(r.Family, r.Revision) : null;

    /// <summary>The service a request names, in the cluster it names (a long ARN's cluster must agree with it).</summary>
    public static Stored<EcsServiceRecord>? FindService(EcsState s, string cluster, string? nameOrArn)
    {
        if (string.IsNullOrEmpty(nameOrArn)) return null;
        var (arnCluster, name) = EcsArns.ServiceName(nameOrArn);
        if (name is null || (arnCluster is not null && arnCluster != cluster)) return null;
        return s.Service(cluster, name);
    }

    private static TxnOp Put<T>(string key, T record) => TxnOp.Put(key, EcsRecordJson.Serialize(record));

    private static TxnOp TagsWrite(string arn, IEnumerable<KeyValuePair<string, string>> tags)
    {
        var map = ImmutableSortedDictionary.CreateBuilder<string, string>(StringComparer.Ordinal);
        foreach (var (k, v) in tags) map[k] = v;
        return map.Count == 0
            ? TxnOp.Delete(Core.Registry.StoreKeys.TagsOf(arn))
            : TxnOp.Put(Core.Registry.StoreKeys.TagsOf(arn), RecordJson.Serialize(map.ToImmutable()));
    }

    /// <summary>Touched whenever a service or task is added to a cluster, so that DeleteCluster can be sure none was.</summary>
    private static TxnOp TouchMembers(string cluster) => TxnOp.Put(EcsStoreKeys.Members(cluster), MemberMark);

    private static readonly byte[] MemberMark = [1];
}
