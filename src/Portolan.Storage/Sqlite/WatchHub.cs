using System.Threading.Channels;

namespace Portolan.Storage.Sqlite;

/// <summary>
/// Fans committed revisions out to live watchers. The writer calls <see cref="Publish"/> after each commit;
/// <see cref="PublishedRevision"/> is therefore the newest revision that is both durable and delivered, and
/// <see cref="Subscribe"/> reads it under the same lock that publishing takes. A new watcher replays the change
/// log up to that revision and takes everything after it from its buffer: no gap and no overlap at the seam.
/// Publishing never blocks: a watcher whose buffer is full is dropped from the live feed (see
/// <see cref="WatchSubscription.Overflowed"/>) and catches up from the log on its own time.
/// </summary>
internal sealed class WatchHub
{
    private readonly Lock _gate = new();
    private readonly List<WatchSubscription> _subscriptions = [];
    private readonly int _capacity;
    private long _published;
    private bool _closed;

    public WatchHub(long revision, int capacity)
    {
        _published = revision;
        _capacity = capacity;
    }

    public long PublishedRevision => Volatile.Read(ref _published);

    public bool IsClosed => Volatile.Read(ref _closed);

    /// <summary>Registers a live watcher; null once the hub is closed. <paramref name="published"/> is the seam.</summary>
    public WatchSubscription? Subscribe(string prefix, out long published)
    {
        lock (_gate)
        {
            published = _published;
            if (_closed)
            {
                return null;
            }

            var subscription = new WatchSubscription(this, prefix, _capacity);
            _subscriptions.Add(subscription);
            return subscription;
        }
    }

    public void Unsubscribe(WatchSubscription subscription)
    {
        lock (_gate)
        {
            _subscriptions.Remove(subscription);
        }

        subscription.Close();
    }

    /// <summary>Delivers committed revisions (ascending, each with its events in key order). Writer thread only.</summary>
    public void Publish(IReadOnlyList<WatchBatch> committed)
    {
        if (committed.Count == 0)
        {
            return;
        }

        lock (_gate)
        {
            for (var i = _subscriptions.Count - 1; i >= 0; i--)
            {
                var subscription = _subscriptions[i];
                foreach (var batch in committed)
                {
                    var filtered = Filter(batch, subscription.Prefix);
                    if (filtered is not null && !subscription.Offer(filtered))
                    {
                        _subscriptions.RemoveAt(i);
                        break;
                    }
                }
            }

            Volatile.Write(ref _published, committed[^1].Revision);
        }
    }

    /// <summary>Ends every live watcher (the store is closing) and refuses new ones.</summary>
    public void Close()
    {
        lock (_gate)
        {
            Volatile.Write(ref _closed, true);
            foreach (var subscription in _subscriptions)
            {
                subscription.Close();
            }

            _subscriptions.Clear();
        }
    }

    private static WatchBatch? Filter(WatchBatch batch, string prefix)
    {
        if (prefix.Length == 0)
        {
            return batch;
        }

        var matching = 0;
        foreach (var change in batch.Events)
        {
            if (KeyRules.InPrefix(change.Kv.Key, prefix))
            {
                matching++;
            }
        }

        if (matching == batch.Events.Count)
        {
            return batch; // shared, immutable: no copy when the whole revision is under the prefix.
        }

        if (matching == 0)
        {
            return null;
        }

        var events = new WatchEvent[matching];
        var n = 0;
        foreach (var change in batch.Events)
        {
            if (KeyRules.InPrefix(change.Kv.Key, prefix))
            {
                events[n++] = change;
            }
        }

        return new WatchBatch(batch.Revision, events);
    }
}

/// <summary>One live watcher's bounded buffer.</summary>
internal sealed class WatchSubscription : IDisposable
{
    private readonly WatchHub _hub;
    private readonly Channel<WatchBatch> _buffer;
    private volatile bool _overflowed;

    public WatchSubscription(WatchHub hub, string prefix, int capacity)
    {
        _hub = hub;
        Prefix = prefix;
        _buffer = Channel.CreateBounded<WatchBatch>(new BoundedChannelOptions(capacity)
        {
            SingleReader = true,
            SingleWriter = true,
            FullMode = BoundedChannelFullMode.Wait, // only TryWrite is used: "full" means "refused", never "blocked".
        });
    }

    public string Prefix { get; }

    public ChannelReader<WatchBatch> Reader => _buffer.Reader;

    /// <summary>
    /// True when the buffer filled up and the hub dropped this watcher. What is still buffered is valid and
    /// contiguous; after it the watcher must resume from the change log.
    /// </summary>
    public bool Overflowed => _overflowed;

    public void Dispose() => _hub.Unsubscribe(this);

    internal bool Offer(WatchBatch batch)
    {
        if (_buffer.Writer.TryWrite(batch))
        {
            return true;
        }

        _overflowed = true; // set before completing, so a reader that sees completion sees the flag.
        _buffer.Writer.TryComplete();
        return false;
    }

    internal void Close() => _buffer.Writer.TryComplete();
}
