using System.Runtime.CompilerServices;

namespace Portolan.Storage.Sqlite;

/// <summary>
/// One watcher's life: subscribe to the live feed (which fixes the seam revision), replay the change log up
/// to the seam, then stream live batches. If the live buffer overflowed, go round again from the first revision
/// not yet delivered; memory stays bounded by the buffer and the writer never waits. A watcher that falls
/// behind a compaction gets <see cref="StoreCompactedException"/>, as a slow etcd watcher would.
/// Ends normally when the store closes; throws <see cref="OperationCanceledException"/> when cancelled.
/// </summary>
internal static class WatchStream
{
    public static async IAsyncEnumerable<WatchBatch> RunAsync(
        WatchHub hub, ReadPool reads, string prefix, long fromRevision, int chunkSize,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        // Revision 0 holds no change, so "from 0" (inclusive) is "from 1": all retained history.
        var next = Math.Max(1, fromRevision);
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var subscription = hub.Subscribe(prefix, out var seam);
            if (subscription is null)
            {
                yield break; // store closed
            }

            using (subscription)
            {
                if (next <= seam)
                {
                    var replay = new LogReplay(reads, hub, prefix, next, seam, chunkSize);
                    while (replay.Next() is { } batch)
                    {
                        cancellationToken.ThrowIfCancellationRequested();
                        yield return batch;
                    }

                    if (replay.StoreClosed)
                    {
                        yield break;
                    }

                    next = seam + 1;
                }

                while (true)
                {
                    if (subscription.Reader.TryRead(out var batch))
                    {
                        // Everything buffered is above the seam; the check only guards the invariant.
                        if (batch.Revision >= next)
                        {
                            next = batch.Revision + 1;
                            yield return batch;
                        }

                        continue;
                    }

                    if (!await subscription.Reader.WaitToReadAsync(cancellationToken))
                    {
                        break;
                    }
                }

                if (!subscription.Overflowed)
                {
                    yield break; // completed without overflow: the store closed
                }
            }
        }
    }

    /// <summary>
    /// Reads change-log rows in chunks (one short read transaction each, so a slow consumer never pins a WAL
    /// snapshot) and regroups them into one batch per revision, even when a revision spans two chunks.
    /// </summary>
    private sealed class LogReplay(ReadPool reads, WatchHub hub, string prefix, long from, long to, int chunkSize)
    {
        private readonly Queue<WatchBatch> _ready = new();
        private List<WatchEvent>? _pending;
        private long _pendingRevision;
        private long _positionRevision = from;
        private string _positionKey = string.Empty; // keys are never empty, so ("from", "") precedes all of "from".
        private bool _exhausted;

        public bool StoreClosed { get; private set; }

        public WatchBatch? Next()
        {
            while (_ready.Count == 0)
            {
                if (_exhausted)
                {
                    Flush();
                    return _ready.Count == 0 ? null : _ready.Dequeue();
                }

                ReadChunk();
                if (StoreClosed)
                {
                    return null;
                }
            }

            return _ready.Dequeue();
        }

        private void ReadChunk()
        {
            // The oldest revision this watcher still needs; compaction at or above it may have removed its rows.
            var needed = _pending is null ? _positionRevision : _pendingRevision;
            if (_pending is null && _positionKey.Length > 0)
            {
                needed = _positionRevision + 1;
            }

            long compacted;
            List<(long Revision, WatchEvent Event)> rows;
            try
            {
                (compacted, rows) = reads.Read(s =>
                {
                    var (_, compact) = s.ReadMeta();
                    return compact >= needed ? (compact, []) : (compact, s.Changes(prefix, _positionRevision, _positionKey, to, chunkSize));
                });
            }
            catch (ObjectDisposedException) when (hub.IsClosed)
            {
                StoreClosed = true;
                return;
            }

            if (compacted >= needed)
            {
                throw new StoreCompactedException(needed, compacted);
            }

            foreach (var (revision, change) in rows)
            {
                if (_pending is not null && revision != _pendingRevision)
                {
                    Flush();
                }

                (_pending ??= []).Add(change);
                _pendingRevision = revision;
            }

            if (rows.Count > 0)
            {
                (_positionRevision, _positionKey) = (rows[^1].Revision, rows[^1].Event.Kv.Key);
            }

            _exhausted = rows.Count < chunkSize;
        }

        private void Flush()
        {
            if (_pending is not null)
            {
                _ready.Enqueue(new WatchBatch(_pendingRevision, _pending));
                _pending = null;
            }
        }
    }
}
