namespace Portolan.Storage.Sqlite;

/// <summary>
/// Applies one batch of queued writes inside a single SQLite transaction on the writer connection. Each
/// caller's transaction evaluates its compares against the state left by the earlier ones of the same batch
/// (they read through the same, still uncommitted, connection), and each effective one takes the next revision.
/// Revision, compaction point, lease ids and the lease table are tracked in memory and put back if the batch's
/// commit fails, so memory never runs ahead of disk. Writer thread only.
/// </summary>
internal sealed class BatchApplier
{
    private readonly WriterCommands _sql;
    private readonly LeaseTable _leases;
    private readonly List<WatchBatch> _committed = [];
    private long _startRevision;
    private long _startCompact;
    private long _startNextLease;

    public BatchApplier(WriterCommands sql, LeaseTable leases, PersistedState state)
    {
        _sql = sql;
        _leases = leases;
        Revision = state.Revision;
        CompactRevision = state.CompactRevision;
        NextLeaseId = Math.Max(1, state.NextLeaseId);
    }

    /// <summary>The revision as of the writes applied so far (committed once <see cref="Commit"/> returns).</summary>
    public long Revision { get; private set; }

    public long CompactRevision { get; private set; }

    public long NextLeaseId { get; private set; }

    /// <summary>The revisions created by the last committed batch, ascending, events in key order.</summary>
    public IReadOnlyList<WatchBatch> Committed => _committed;

    public void Begin()
    {
        _committed.Clear();
        _startRevision = Revision;
        _startCompact = CompactRevision;
        _startNextLease = NextLeaseId;
        _leases.BeginBatch();
        _sql.Begin();
    }

    public void Commit()
    {
        if (Revision != _startRevision)
        {
            _sql.SetMeta("revision", Revision);
        }

        if (CompactRevision != _startCompact)
        {
            _sql.SetMeta("compact_revision", CompactRevision);
        }

        if (NextLeaseId != _startNextLease)
        {
            _sql.SetMeta("next_lease_id", NextLeaseId);
        }

        _sql.Commit();
    }

    /// <summary>Forgets everything since <see cref="Begin"/>, on disk and in memory.</summary>
    public void Rollback()
    {
        _sql.RollbackQuietly();
        _leases.Rollback();
        _committed.Clear();
        Revision = _startRevision;
        CompactRevision = _startCompact;
        NextLeaseId = _startNextLease;
    }

    /// <summary>Revokes every lease whose deadline has passed, one revision each (as etcd does).</summary>
    public void ExpireDueLeases()
    {
        foreach (var id in _leases.Expired())
        {
            RevokeLease(id);
        }
    }

    public TxnResult ApplyTxn(Txn txn)
    {
        foreach (var compare in txn.Compares)
        {
            if (!Holds(compare))
            {
                return new TxnResult(false, Revision);
            }
        }

        // Check leases before writing anything, so a rejected transaction leaves no partial write behind.
        foreach (var op in txn.Success)
        {
            if (op.Kind == TxnOpKind.Put && op.Lease != 0 && !_leases.Contains(op.Lease))
            {
                throw new RequestRejectedException(new LeaseNotFoundException(op.Lease));
            }
        }

        var revision = Revision + 1;
        var events = new List<WatchEvent>(txn.Success.Count);
        foreach (var op in txn.Success)
        {
            switch (op.Kind)
            {
                case TxnOpKind.Put:
                    // Copied once: the bytes are bound to SQLite and handed to watchers, and must not change
                    // if the caller reuses its buffer afterwards.
                    var value = op.Value.ToArray();
                    var (create, version) = _sql.Put(revision, op.Key, value, op.Lease);
                    events.Add(new WatchEvent(WatchEventType.Put, new KeyValue(op.Key, value, create, revision, version, op.Lease)));
                    break;
                case TxnOpKind.Delete:
                    if (_sql.DeleteKey(op.Key))
                    {
                        events.Add(Deleted(op.Key, revision));
                    }

                    break;
                case TxnOpKind.DeletePrefix:
                    foreach (var key in _sql.DeletePrefix(op.Key))
                    {
                        events.Add(Deleted(key, revision));
                    }

                    break;
            }
        }

        return Seal(revision, events) ? new TxnResult(true, revision) : new TxnResult(true, Revision);
    }

    public long GrantLease(TimeSpan ttl)
    {
        var id = NextLeaseId++;
        _sql.InsertLease(id, ttl);
        _leases.Add(id, ttl);
        return id;
    }

    public void KeepAlive(long leaseId)
    {
        // Deadlines live in memory only (see SqliteSchema), so a keep-alive costs no disk write.
        if (!_leases.Renew(leaseId))
        {
            throw new RequestRejectedException(new LeaseNotFoundException(leaseId));
        }
    }

    public void RevokeLease(long leaseId)
    {
        if (!_leases.Remove(leaseId))
        {
            return;
        }

        _sql.DeleteLease(leaseId);
        var revision = Revision + 1;
        var events = new List<WatchEvent>();
        foreach (var key in _sql.DeleteByLease(leaseId))
        {
            events.Add(Deleted(key, revision));
        }

        Seal(revision, events);
    }

    public void Compact(long revision)
    {
        if (revision > Revision)
        {
            throw new RequestRejectedException(new ArgumentOutOfRangeException(
                nameof(revision), revision, $"Cannot compact beyond the current revision {Revision}."));
        }

        if (revision <= CompactRevision)
        {
            return; // already compacted that far: idempotent.
        }

        _sql.CompactThrough(revision);
        CompactRevision = revision;
    }

    private static WatchEvent Deleted(string key, long revision) =>
        new(WatchEventType.Delete, new KeyValue(key, ReadOnlyMemory<byte>.Empty, 0, revision, 0, 0));

    /// <summary>Takes <paramref name="revision"/> if anything changed; false (no revision used) otherwise.</summary>
    private bool Seal(long revision, List<WatchEvent> events)
    {
        if (events.Count == 0)
        {
            return false;
        }

        foreach (var change in events)
        {
            if (change.Type == WatchEventType.Delete)
            {
                _sql.LogDelete(revision, change.Kv.Key);
            }
        }

        events.Sort(static (a, b) => KeyRules.Comparer.Compare(a.Kv.Key, b.Kv.Key));
        Revision = revision;
        _committed.Add(new WatchBatch(revision, events.ToArray()));
        return true;
    }

    private bool Holds(Compare compare)
    {
        var current = _sql.ReadKey(compare.Key, compare.Target == CompareTarget.Value);
        if (compare.Target == CompareTarget.Value)
        {
            // As in etcd: a value compare on a missing key fails whatever the operator (there is no value to compare).
            return current is { Value: { } value } && Relates(value.AsSpan().SequenceCompareTo(compare.Bytes.Span), compare.Op);
        }

        var actual = current is not { } kv ? 0 : compare.Target switch
        {
            CompareTarget.Version => kv.Version,
            CompareTarget.CreateRevision => kv.CreateRevision,
            _ => kv.ModRevision,
        };
        return Relates(actual.CompareTo(compare.Number), compare.Op);
    }

    private static bool Relates(int order, CompareOp op) => op switch
    {
        CompareOp.Equal => order == 0,
        CompareOp.NotEqual => order != 0,
        CompareOp.Greater => order > 0,
        _ => order < 0,
    };
}
