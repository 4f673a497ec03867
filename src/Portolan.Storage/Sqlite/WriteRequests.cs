namespace Portolan.Storage.Sqlite;

/// <summary>
/// A write waiting for the writer thread. The writer applies it inside the open batch transaction and only
/// after the batch committed (or failed) completes its task, so nobody sees a result that is not durable.
/// </summary>
internal abstract class WriteRequest
{
    /// <summary>Applies the request to the open batch; records a rejection instead of throwing it.</summary>
    public abstract void Apply(BatchApplier batch);

    /// <summary>Reports the outcome recorded by <see cref="Apply"/>; called once the batch is durable.</summary>
    public abstract void Complete();

    /// <summary>The whole batch failed: nothing of it was written.</summary>
    public abstract void Fail(Exception error);
}

/// <summary>
/// Thrown by <see cref="BatchApplier"/> for a request that is refused before it wrote anything (unknown lease,
/// compaction of a future revision): only that caller fails, the rest of the batch goes on.
/// </summary>
internal sealed class RequestRejectedException(Exception reason) : Exception(reason.Message, reason)
{
    public Exception Reason { get; } = reason;
}

internal abstract class WriteRequest<T>(CancellationToken cancellationToken) : WriteRequest
{
    // Continuations run on the pool, never on the writer thread, so a slow caller cannot stall the writer.
    private readonly TaskCompletionSource<T> _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private T? _result;
    private Exception? _rejection;
    private bool _cancelled;

    public Task<T> Task => _done.Task;

    public sealed override void Apply(BatchApplier batch)
    {
        // Cancellation is honoured until the writer reaches the request; after that the caller gets the
        // real outcome, because the write may already be durable.
        if (cancellationToken.IsCancellationRequested)
        {
            _cancelled = true;
            return;
        }

        try
        {
            _result = Execute(batch);
        }
        catch (RequestRejectedException rejected)
        {
            _rejection = rejected.Reason;
        }
    }

    public sealed override void Complete()
    {
        if (_cancelled)
        {
            _done.TrySetCanceled(cancellationToken);
        }
        else if (_rejection is not null)
        {
            _done.TrySetException(_rejection);
        }
        else
        {
            _done.TrySetResult(_result!);
        }
    }

    public sealed override void Fail(Exception error) => _done.TrySetException(error);

    protected abstract T Execute(BatchApplier batch);
}

internal sealed class TxnRequest(Txn txn, CancellationToken ct) : WriteRequest<TxnResult>(ct)
{
    protected override TxnResult Execute(BatchApplier batch) => batch.ApplyTxn(txn);
}

internal sealed class GrantLeaseRequest(TimeSpan ttl, CancellationToken ct) : WriteRequest<long>(ct)
{
    protected override long Execute(BatchApplier batch) => batch.GrantLease(ttl);
}

internal sealed class KeepAliveRequest(long leaseId, CancellationToken ct) : WriteRequest<bool>(ct)
{
    protected override bool Execute(BatchApplier batch)
    {
        batch.KeepAlive(leaseId);
        return true;
    }
}

internal sealed class RevokeLeaseRequest(long leaseId, CancellationToken ct) : WriteRequest<bool>(ct)
{
    protected override bool Execute(BatchApplier batch)
    {
        batch.RevokeLease(leaseId);
        return true;
    }
}

internal sealed class CompactRequest(long revision, CancellationToken ct) : WriteRequest<bool>(ct)
{
    protected override bool Execute(BatchApplier batch)
    {
        batch.Compact(revision);
        return true;
    }
}

/// <summary>Wakes the writer when a lease deadline passes; every batch expires due leases first anyway.</summary>
internal sealed class LeaseTick : WriteRequest
{
    public static readonly LeaseTick Instance = new();

    public override void Apply(BatchApplier batch)
    {
    }

    public override void Complete()
    {
    }

    public override void Fail(Exception error)
    {
    }
}
