namespace Portolan.Storage.Etcd;

/// <summary>
/// Counts calls under way so that closing the store refuses new ones yet lets those already submitted finish
/// (the contract: dispose completes writes already submitted, and reports their real outcome).
/// </summary>
internal sealed class InFlightCalls
{
    private readonly TaskCompletionSource _drained = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Lock _lock = new();
    private int _count;
    private bool _closed;

    /// <summary>Registers a call; false once closing has begun.</summary>
    public bool TryEnter()
    {
        lock (_lock)
        {
            if (_closed) return false;
            _count++;
            return true;
        }
    }

    public void Exit()
    {
        lock (_lock)
        {
            if (--_count == 0 && _closed) _drained.TrySetResult();
        }
    }

    /// <summary>Refuses new calls; completes when every registered one has exited.</summary>
    public Task CloseAsync()
    {
        lock (_lock)
        {
            _closed = true;
            if (_count == 0) _drained.TrySetResult();
        }

        return _drained.Task;
    }
}
