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
/// still the one that was read). Under contention (another node, or a concurrent call) a compare fails, the
/// snapshot catches up and the command is validated again — optimistic concurrency as etcd clients do it,
/// so the same code is correct on SQLite and on an etcd cluster. A command returns once its write is
/// durable and visible in the snapshot, so a caller reads its own writes.
/// </summary>
public sealed partial class DiscoveryRegistry
{
    private const int MaxAttempts = 16;

    private readonly IStore _store;
    private readonly ISnapshotSource _snapshots;
    private readonly RegistryOptions _options;
    private readonly TimeProvider _time;

    public DiscoveryRegistry(IStore store, ISnapshotSource snapshots, IOptions<RegistryOptions> options, TimeProvider time)
    {
        _store = store;
        _snapshots = snapshots;
        _options = options.Value;
        _time = time;
        Arns = new Arns(_options.Region, _options.Account);
    }

    public Arns Arns { get; }
    public RegistryOptions Options => _options;

    /// <summary>What a command decided: the transaction to commit (null = nothing to write) and its result.</summary>
    private readonly record struct Plan<T>(Txn? Txn, T Result);

    private async Task<T> CommitAsync<T>(Func<RegistrySnapshot, Plan<T>> plan, CancellationToken ct)
    {
        for (var attempt = 0; attempt < MaxAttempts; attempt++)
        {
            var decided = plan(_snapshots.Current);
            if (decided.Txn is null) return decided.Result;
            var outcome = await _store.TxnAsync(decided.Txn, ct);
            // Success: wait until readers see the write. Failure: wait until the snapshot has what beat us.
            await _snapshots.WaitForRevisionAsync(outcome.Revision, ct);
            if (outcome.Succeeded) return decided.Result;
        }
        throw new RegistryException("ThrottlingException", "The resource is being changed by other requests; retry.");
    }

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
