using System.Collections.Immutable;
using Microsoft.Extensions.Options;
using Portolan.Core.Discovery;
using Portolan.Core.Ids;
using Portolan.Core.Snapshots;
using Portolan.Storage;

namespace Portolan.Core.Registry;

/// <summary>
/// The single writer of Cloud Map state. Each command validates against the current snapshot, then commits
/// one store transaction whose compares guard exactly the facts it validated (a name still free, a service
/// still the one that was read), through the shared <see cref="SnapshotCommitter"/>.
/// </summary>
public sealed partial class DiscoveryRegistry
{
    private readonly SnapshotCommitter _committer;
    private readonly ISnapshotSource _snapshots;
    private readonly RegistryOptions _options;
    private readonly TimeProvider _time;

    public DiscoveryRegistry(IStore store, ISnapshotSource snapshots, IOptions<RegistryOptions> options, TimeProvider time)
    {
        _committer = new SnapshotCommitter(store, snapshots);
        _snapshots = snapshots;
        _options = options.Value;
        _time = time;
        Arns = new Arns(_options.Region, _options.Account);
    }

    public Arns Arns { get; }
    public RegistryOptions Options => _options;

    private Task<T> CommitAsync<T>(Func<RegistrySnapshot, Plan<T>> plan, CancellationToken ct) => _committer.CommitAsync(plan, ct);

    private DateTimeOffset Now() => _time.GetUtcNow();

    private static TxnOp OperationWrite(string id, OperationType type, DateTimeOffset now, params (OperationTargetType Type, string Id)[] targets)
    {
        var map = ImmutableSortedDictionary.CreateBuilder<OperationTargetType, string>();
        foreach (var (t, target) in targets) map[t] = target;
        var op = new OperationRecord
        {
            Id = id, Type = type, Status = OperationStatus.Success,
            CreateDate = now, UpdateDate = now, Targets = map.ToImmutable(),
        };
        return TxnOp.Put(StoreKeys.Operation(id), RecordJson.Serialize(op));
    }

    private static TxnOp TagsWrite(string arn, IReadOnlyList<KeyValuePair<string, string>> tags)
    {
        var map = ImmutableSortedDictionary.CreateBuilder<string, string>(StringComparer.Ordinal);
        foreach (var (k, v) in tags) map[k] = v;
        return TxnOp.Put(StoreKeys.TagsOf(arn), RecordJson.Serialize(map.ToImmutable()));
    }

    private static NamespaceEntry RequireNamespace(RegistrySnapshot s, string? id) =>
        id is not null && s.Namespaces.TryGetValue(id, out var ns) ? ns : throw new RegistryException(ErrorCodes.NamespaceNotFound, $"Namespace {id} not found.");

    private static ServiceEntry RequireService(RegistrySnapshot s, string? idOrArn)
    {
        var id = idOrArn is null ? null : Arns.ServiceIdFrom(idOrArn);
        return id is not null && s.Services.TryGetValue(id, out var svc) ? svc : throw new RegistryException(ErrorCodes.ServiceNotFound, $"Service {idOrArn} not found.");
    }
}
