namespace Portolan.Storage.Sqlite;

/// <summary>
/// Live leases and their deadlines, owned by the writer thread (so it needs no lock). Deadlines use the
/// injected <see cref="TimeProvider"/>'s monotonic timestamps, so a virtual clock drives expiry in tests.
/// Changes made while a batch is applied are recorded so a failed commit can put the table back exactly.
/// A min-heap of deadlines finds the next expiry; keep-alives push a new entry and leave the old one to be
/// skipped as stale when it surfaces, which is cheaper than removing from the middle of a heap.
/// </summary>
internal sealed class LeaseTable(TimeProvider time)
{
    private readonly Dictionary<long, LeaseEntry> _leases = [];
    private readonly PriorityQueue<long, long> _deadlines = new();
    private readonly List<(long Id, LeaseEntry? Before)> _undo = [];

    public int Count => _leases.Count;

    public bool Contains(long id) => _leases.ContainsKey(id);

    public void Add(long id, TimeSpan ttl)
    {
        Remember(id);
        Schedule(new LeaseEntry(ttl, Deadline(ttl)), id);
    }

    /// <summary>Restarts a lease's TTL; false if it does not exist.</summary>
    public bool Renew(long id)
    {
        if (!_leases.TryGetValue(id, out var entry))
        {
            return false;
        }

        Remember(id);
        Schedule(entry with { Deadline = Deadline(entry.Ttl) }, id);
        return true;
    }

    public bool Remove(long id)
    {
        if (!_leases.ContainsKey(id))
        {
            return false;
        }

        Remember(id);
        _leases.Remove(id);
        return true;
    }

    /// <summary>Ids of leases whose deadline has passed (still in the table: the caller revokes them).</summary>
    public List<long> Expired()
    {
        var now = time.GetTimestamp();
        var expired = new List<long>();
        while (_deadlines.TryPeek(out var id, out var deadline) && deadline <= now)
        {
            _deadlines.Dequeue();
            // A rollback re-queues restored deadlines, so the same (id, deadline) can surface twice.
            if (IsCurrent(id, deadline) && !expired.Contains(id))
            {
                expired.Add(id);
            }
        }

        return expired;
    }

    /// <summary>How long until the next lease expires, or null when no lease is live.</summary>
    public TimeSpan? NextExpiryIn()
    {
        while (_deadlines.TryPeek(out var id, out var deadline))
        {
            if (!IsCurrent(id, deadline))
            {
                _deadlines.Dequeue();
                continue;
            }

            var remaining = deadline - time.GetTimestamp();
            if (remaining <= 0)
            {
                return TimeSpan.Zero;
            }

            // Round up: a timer that fires a hair before the deadline would find nothing due and re-arm at zero.
            var ticks = Math.Ceiling(remaining * (double)TimeSpan.TicksPerSecond / time.TimestampFrequency);
            return TimeSpan.FromTicks((long)Math.Min(ticks, TimeSpan.MaxValue.Ticks / 2.0));
        }

        return null;
    }

    public void BeginBatch() => _undo.Clear();

    /// <summary>Undoes every change since <see cref="BeginBatch"/> (the batch's commit failed).</summary>
    public void Rollback()
    {
        for (var i = _undo.Count - 1; i >= 0; i--)
        {
            var (id, before) = _undo[i];
            if (before is { } entry)
            {
                Schedule(entry, id);
            }
            else
            {
                _leases.Remove(id);
            }
        }

        _undo.Clear();
    }

    private bool IsCurrent(long id, long deadline) => _leases.TryGetValue(id, out var entry) && entry.Deadline == deadline;

    private void Remember(long id) =>
        _undo.Add((id, _leases.TryGetValue(id, out var entry) ? entry : null));

    private void Schedule(LeaseEntry entry, long id)
    {
        _leases[id] = entry;
        _deadlines.Enqueue(id, entry.Deadline);
    }

    private long Deadline(TimeSpan ttl)
    {
        var span = ttl.TotalSeconds * time.TimestampFrequency;
        var now = time.GetTimestamp();
        // Clamp absurd TTLs rather than overflow into the past.
        return span >= long.MaxValue / 2.0 - now ? long.MaxValue / 2 : now + (long)span;
    }

    private readonly record struct LeaseEntry(TimeSpan Ttl, long Deadline);
}
