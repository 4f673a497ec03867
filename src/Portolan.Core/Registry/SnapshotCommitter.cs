using Portolan.Core.Snapshots;
using Portolan.Storage;

namespace Portolan.Core.Registry;

/// <summary>What a command decided: the transaction to commit (null = nothing to write) and its result.</summary>
public readonly record struct Plan<T>(Txn? Txn, T Result);

/// <summary>
/// The commit loop every registry (Cloud Map, load balancing, ECS) shares. A command plans against the current
/// snapshot and commits one store transaction whose compares guard exactly the facts it validated. Under
/// contention (another node, or a concurrent call) a compare fails, the snapshot catches up and the command is
/// planned again — optimistic concurrency as etcd clients do it, correct on SQLite and on an etcd cluster. A
/// command returns once its write is durable and visible in the snapshot, so a caller reads its own writes.
/// </summary>
public sealed class SnapshotCommitter(IStore store, ISnapshotSource snapshots)
{
    private const int MaxAttempts = 16;

    public ISnapshotSource Snapshots => snapshots;

    public async Task<T> CommitAsync<T>(Func<RegistrySnapshot, Plan<T>> plan, CancellationToken ct)
    {
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var outcomeName = "failed";
        try
        {
            for (var attempt = 0; attempt < MaxAttempts; attempt++)
            {
                var decided = plan(snapshots.Current);
                if (decided.Txn is null)
                {
                    outcomeName = "unchanged";
                    return decided.Result;
                }

                var outcome = await store.TxnAsync(decided.Txn, ct);
                // Success: wait until readers see the write. Failure: wait until the snapshot has what beat us.
                await snapshots.WaitForRevisionAsync(outcome.Revision, ct);
                if (outcome.Succeeded)
                {
                    outcomeName = "committed";
                    return decided.Result;
                }

                RegistryWriteMetrics.Conflict();
            }
            outcomeName = "throttled";
            throw new RegistryException("ThrottlingException", "The resource is being changed by other requests; retry.");
        }
        catch (RegistryException) when (outcomeName == "failed")
        {
            // Validation said no (a name taken, a resource not found): nothing was written.
            outcomeName = "rejected";
            throw;
        }
        finally
        {
            RegistryWriteMetrics.Record(outcomeName, started);
        }
    }
}
