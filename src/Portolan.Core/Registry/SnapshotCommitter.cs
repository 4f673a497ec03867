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
/// command starts from a snapshot at least as new as the store was when it began, and returns once its write is
/// durable and visible in the snapshot, so a caller reads its own writes, through any node.
/// </summary>
public sealed class SnapshotCommitter(IStore store, ISnapshotSource snapshots)
{
    private const int MaxAttempts = 16;
    private static readonly TimeSpan CatchUpLimit = TimeSpan.FromSeconds(1);

    public ISnapshotSource Snapshots => snapshots;

    public async Task<T> CommitAsync<T>(Func<RegistrySnapshot, Plan<T>> plan, CancellationToken ct)
    {
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var outcomeName = "failed";
        try
        {
            // Read barrier: plan against everything acknowledged anywhere before this command began. On a cluster this
            // node's snapshot may trail a write made through another node by the watch lag (a client creating a
            // service through node A, then registering an instance through node B, must not get ServiceNotFound).
            await CatchUpAsync(await store.GetRevisionAsync(ct), ct);
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
                if (outcome.Succeeded)
                {
                    await snapshots.WaitForRevisionAsync(outcome.Revision, ct);
                    outcomeName = "committed";
                    return decided.Result;
                }

                RegistryWriteMetrics.Conflict();
                await CatchUpAsync(outcome.Revision, ct);
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

    /// <summary>
    /// Waits until the snapshot has observed <paramref name="revision"/>, a store-wide revision that may have been
    /// made by keys outside the snapshot (on a shared etcd, by other clients); the snapshot learns of those only
    /// through etcd's progress notifications. So the wait is bounded: past it, the command goes on with the
    /// snapshot it has, as it would without the barrier, and the compare-and-swap still keeps it correct.
    /// </summary>
    private async Task CatchUpAsync(long revision, CancellationToken ct)
    {
        using var bounded = CancellationTokenSource.CreateLinkedTokenSource(ct);
        bounded.CancelAfter(CatchUpLimit);
        try
        {
            await snapshots.WaitForRevisionAsync(revision, bounded.Token);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
        }
    }
}
