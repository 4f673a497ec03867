using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Portolan.Storage;

namespace Portolan.Core.Cluster;

/// <summary>
/// Membership, leader election and work division through the store, the way etcd's own concurrency recipes
/// do it (and so, alike, on SQLite for a single node):
/// <list type="bullet">
/// <item>The node grants a lease of <see cref="ClusterOptions.NodeTtl"/>, puts <c>/cluster/nodes/{id}</c> on it, and
/// renews it every third of the TTL. A lease found gone (a long pause, a partition) is replaced by a new one and
/// the node registers again.</item>
/// <item>Election: <c>/cluster/leader</c> is created, only when absent, holding the node id on the node's lease;
/// when the leader's lease ends the key is deleted and every node that sees the delete campaigns again.</item>
/// <item>The view (live nodes, leader) is read once and then followed with a watch of <c>/cluster/</c>;
/// items are divided by rendezvous hashing over the live node ids (<see cref="ClusterView.OwnerOf"/>).</item>
/// <item>Fencing by time: a node counts itself live (and so a leader or an owner) only until one TTL after it
/// <em>sent</em> its last successful renewal, which is never later than the store can expire it.</item>
/// </list>
/// Stopping revokes the lease, so the others take over at once; a crash leaves it to expire.
/// </summary>
public sealed partial class ClusterMembership : IClusterMembership, IAsyncDisposable
{
    private static readonly TimeSpan RetryDelay = TimeSpan.FromMilliseconds(200);

    private readonly IStore _store;
    private readonly ClusterOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _viewLock = new();
    private readonly SemaphoreSlim _campaign = new(1, 1);
    private readonly long _ttlTicks;
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private ClusterView _view = ClusterView.Empty;
    private DateTimeOffset _startedAt;
    private long _lease;
    private long _liveUntil;
    private Task _loops = Task.CompletedTask;
    private int _stopped;

    public ClusterMembership(IStore store, IOptions<ClusterOptions> options, TimeProvider time, ILogger<ClusterMembership> logger)
    {
        _store = store;
        _options = options.Value;
        _time = time;
        _logger = logger;
        if (string.IsNullOrWhiteSpace(_options.NodeId) || _options.NodeId.Contains('/', StringComparison.Ordinal))
        {
            throw new ArgumentException($"'{_options.NodeId}' is not a node id (non-empty, no '/').", nameof(options));
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(_options.NodeTtl, TimeSpan.FromSeconds(1), nameof(options));
        _ttlTicks = (long)(_options.NodeTtl.TotalSeconds * time.TimestampFrequency);
    }

    public string NodeId => _options.NodeId;

    public ClusterView View => Volatile.Read(ref _view);

    public bool IsLive => _time.GetTimestamp() < Volatile.Read(ref _liveUntil);

    public bool IsLeader
    {
        get
        {
            var view = View;
            var lease = Volatile.Read(ref _lease);
            return lease != 0 && view.LeaderId == NodeId && view.LeaderLease == lease && IsLive;
        }
    }

    /// <summary>The <see cref="TimeProvider"/> timestamp until which this node counts itself live.</summary>
    internal long LiveUntil => Volatile.Read(ref _liveUntil);

    /// <summary>The lease this node's registration is attached to (0 before it registered).</summary>
    public long Lease => Volatile.Read(ref _lease);

    public event Action<ClusterView>? Changed;

    public bool Owns(string key) => IsLive && View.OwnerOf(key) == NodeId;

    public async Task WaitForChangeAsync(ClusterView seen, CancellationToken cancellationToken = default)
    {
        while (true)
        {
            Task changed;
            lock (_viewLock)
            {
                if (!ReferenceEquals(_view, seen)) return;
                changed = _changed.Task;
            }

            await changed.WaitAsync(cancellationToken);
        }
    }

    /// <summary>
    /// Registers the node, loads the view, and takes part in one election before returning, so the node's role is
    /// known once it serves. Then renews and follows in the background.
    /// </summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        _startedAt = _time.GetUtcNow();
        await RegisterAsync(cancellationToken);
        var range = await _store.RangeAsync(ClusterKeys.Root, null, cancellationToken);
        Publish(Apply(ClusterView.Empty, range.Revision, range.Kvs.Select(kv => new WatchEvent(WatchEventType.Put, kv))));
        var watching = Task.Run(() => FollowAsync(_stop.Token), CancellationToken.None);
        await CampaignAsync(waitForView: true, cancellationToken);
        // Called directly, not queued: its first renewal timer is armed before StartAsync returns.
        var renewing = RenewAsync(_stop.Token);
        _loops = Task.WhenAll(watching, renewing);
        LogJoined(_logger, NodeId, View.Nodes.Length, View.LeaderId ?? "(none)");
    }

    /// <summary>Leaves the cluster: stops renewing and revokes the lease, so the node's work moves at once.</summary>
    public async ValueTask DisposeAsync()
    {
        if (!await StopLoopsAsync()) return;
        var lease = Interlocked.Exchange(ref _lease, 0);
        Volatile.Write(ref _liveUntil, 0);
        if (lease != 0)
        {
            try
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                await _store.RevokeLeaseAsync(lease, timeout.Token);
                LogLeft(_logger, NodeId);
            }
            catch (Exception e) when (e is StoreUnavailableException or OperationCanceledException or ObjectDisposedException)
            {
                LogLeaveFailed(_logger, NodeId, e.Message);
            }
        }

        _stop.Dispose();
    }

    /// <summary>Stops renewing without revoking, as a crashed process would (for failover tests).</summary>
    internal async Task AbandonAsync()
    {
        await StopLoopsAsync();
        Volatile.Write(ref _liveUntil, 0);
    }

    private async Task<bool> StopLoopsAsync()
    {
        if (Interlocked.Exchange(ref _stopped, 1) != 0) return false;
        await _stop.CancelAsync();
        await _loops;
        return true;
    }

    private async Task RegisterAsync(CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            var sent = _time.GetTimestamp();
            var lease = await _store.GrantLeaseAsync(_options.NodeTtl, ct);
            var node = new ClusterNode(NodeId, _options.Addresses(), _startedAt, _options.Version)
            {
                Meta = new Dictionary<string, string>(_options.Meta, StringComparer.Ordinal),
            };
            try
            {
                // A put replaces a key left by this node's previous incarnation (its old lease no longer deletes it).
                await _store.TxnAsync(Txn.Unconditional(TxnOp.Put(ClusterKeys.Node(NodeId), node.ToJson(), lease)), ct);
            }
            catch (LeaseNotFoundException) when (attempt < 5)
            {
                // A starved process (a loaded machine) let the fresh lease expire before the put: take a new one.
                continue;
            }

            Volatile.Write(ref _lease, lease);
            Volatile.Write(ref _liveUntil, sent + _ttlTicks);
            return;
        }
    }

    private async Task RenewAsync(CancellationToken ct)
    {
        var interval = _options.NodeTtl / 3;
        while (!ct.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(interval, _time, ct);
                var sent = _time.GetTimestamp();
                try
                {
                    await _store.KeepAliveAsync(Volatile.Read(ref _lease), ct);
                    Volatile.Write(ref _liveUntil, sent + _ttlTicks);
                }
                catch (LeaseNotFoundException)
                {
                    // The cluster already let this node go (its work has moved): join again as a new incarnation.
                    Volatile.Write(ref _liveUntil, 0);
                    LogLeaseLost(_logger, NodeId);
                    RaiseChanged(View);
                    await RegisterAsync(ct);
                    await CampaignAsync(waitForView: false, ct);
                }
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                // Unreachable store: keep trying; IsLive lapses by itself one TTL after the last renewal.
                LogRenewFailed(_logger, NodeId, e.Message);
            }
        }
    }

    private async Task FollowAsync(CancellationToken ct)
    {
        var relist = false;
        while (!ct.IsCancellationRequested)
        {
            try
            {
                if (relist)
                {
                    var range = await _store.RangeAsync(ClusterKeys.Root, null, ct);
                    Publish(Apply(ClusterView.Empty, range.Revision, range.Kvs.Select(kv => new WatchEvent(WatchEventType.Put, kv))));
                    relist = false;
                    await CampaignAsync(waitForView: false, ct);
                }

                await foreach (var batch in _store.WatchAsync(ClusterKeys.Root, View.Revision + 1, ct))
                {
                    if (batch.Events.Count == 0) continue; // progress only: the view is unchanged
                    Publish(Apply(View, batch.Revision, batch.Events));
                    await CampaignAsync(waitForView: false, ct);
                }
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (StoreCompactedException)
            {
                relist = true;
            }
            catch (Exception e)
            {
                LogFollowFailed(_logger, e.Message);
                relist = true;
                await Task.Delay(RetryDelay, ct).ContinueWith(static _ => { }, CancellationToken.None);
            }
        }
    }

    /// <summary>
    /// Creates the leader key if there is none (or re-attaches it to the current lease if it names this node
    /// from an earlier incarnation). Losing the race is normal: the winner's key arrives through the watch.
    /// </summary>
    private async Task CampaignAsync(bool waitForView, CancellationToken ct)
    {
        var view = View;
        var lease = Volatile.Read(ref _lease);
        var vacant = view.LeaderId is null;
        var stale = view.LeaderId == NodeId && view.LeaderLease != lease;
        if (lease == 0 || !(vacant || stale) || !IsLive) return;

        await _campaign.WaitAsync(ct);
        try
        {
            var current = await _store.GetAsync(ClusterKeys.Leader, ct);
            Compare guard;
            if (current is null)
            {
                guard = Compare.Absent(ClusterKeys.Leader);
            }
            else if (Encoding.UTF8.GetString(current.Value.Span) == NodeId && current.Lease != lease)
            {
                guard = Compare.ModRevisionIs(ClusterKeys.Leader, current.ModRevision);
            }
            else
            {
                return; // Someone leads; the watch will tell.
            }

            var result = await _store.TxnAsync(new Txn([guard], [TxnOp.Put(ClusterKeys.Leader, Encoding.UTF8.GetBytes(NodeId), lease)]), ct);
            if (waitForView)
            {
                await WaitForRevisionAsync(result.Revision, ct);
            }
        }
        catch (LeaseNotFoundException)
        {
            // Our lease ended meanwhile; the renew loop registers again and campaigns then.
        }
        finally
        {
            _campaign.Release();
        }
    }

    private async Task WaitForRevisionAsync(long revision, CancellationToken ct)
    {
        var view = View;
        while (view.Revision < revision)
        {
            await WaitForChangeAsync(view, ct);
            view = View;
        }
    }

    private static ClusterView Apply(ClusterView view, long revision, IEnumerable<WatchEvent> events)
    {
        var nodes = view.Nodes.ToDictionary(n => n.Id, StringComparer.Ordinal);
        var leader = view.LeaderId;
        var leaderLease = view.LeaderLease;
        foreach (var change in events)
        {
            var key = change.Kv.Key;
            var put = change.Type == WatchEventType.Put;
            if (key == ClusterKeys.Leader)
            {
                leader = put ? Encoding.UTF8.GetString(change.Kv.Value.Span) : null;
                leaderLease = put ? change.Kv.Lease : 0;
            }
            else if (key.StartsWith(ClusterKeys.NodePrefix, StringComparison.Ordinal))
            {
                var id = key[ClusterKeys.NodePrefix.Length..];
                if (put && ClusterNode.FromJson(change.Kv.Value, change.Kv.Lease) is { } node)
                {
                    nodes[id] = node with { Id = id };
                }
                else
                {
                    nodes.Remove(id);
                }
            }
        }

        return new ClusterView(revision, nodes.Values, leader, leaderLease);
    }

    private void Publish(ClusterView next)
    {
        ClusterView previous;
        TaskCompletionSource changed;
        lock (_viewLock)
        {
            previous = _view;
            if (next.Revision < previous.Revision) return;
            Volatile.Write(ref _view, next);
            changed = _changed;
            _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        changed.TrySetResult();
        LogTransitions(previous, next);
        RaiseChanged(next);
    }

    private void RaiseChanged(ClusterView view)
    {
        try
        {
            Changed?.Invoke(view);
        }
        catch (Exception e)
        {
            LogHandlerFailed(_logger, e);
        }
    }

    private void LogTransitions(ClusterView previous, ClusterView next)
    {
        foreach (var node in next.Nodes)
        {
            if (previous.Find(node.Id) is null) LogNodeJoined(_logger, node.Id);
        }

        foreach (var node in previous.Nodes)
        {
            if (next.Find(node.Id) is null) LogNodeLeft(_logger, node.Id);
        }

        if (previous.LeaderId != next.LeaderId)
        {
            LogLeader(_logger, next.LeaderId ?? "(none)", next.LeaderId == NodeId);
        }
    }

    [LoggerMessage(1, LogLevel.Information, "Node {NodeId} joined the cluster: {Nodes} live nodes, leader {Leader}.")]
    private static partial void LogJoined(ILogger logger, string nodeId, int nodes, string leader);

    [LoggerMessage(2, LogLevel.Information, "Node {NodeId} left the cluster (lease revoked).")]
    private static partial void LogLeft(ILogger logger, string nodeId);

    [LoggerMessage(3, LogLevel.Warning, "Node {NodeId} could not revoke its lease on leaving ({Reason}); it expires by itself.")]
    private static partial void LogLeaveFailed(ILogger logger, string nodeId, string reason);

    [LoggerMessage(4, LogLevel.Warning, "Node {NodeId} lost its lease (the cluster dropped it); registering again.")]
    private static partial void LogLeaseLost(ILogger logger, string nodeId);

    [LoggerMessage(5, LogLevel.Warning, "Node {NodeId} could not renew its lease: {Reason}")]
    private static partial void LogRenewFailed(ILogger logger, string nodeId, string reason);

    [LoggerMessage(6, LogLevel.Warning, "Cluster watch failed ({Reason}); reloading the member list.")]
    private static partial void LogFollowFailed(ILogger logger, string reason);

    [LoggerMessage(7, LogLevel.Information, "Cluster member {NodeId} is live.")]
    private static partial void LogNodeJoined(ILogger logger, string nodeId);

    [LoggerMessage(8, LogLevel.Information, "Cluster member {NodeId} is gone.")]
    private static partial void LogNodeLeft(ILogger logger, string nodeId);

    [LoggerMessage(9, LogLevel.Information, "Cluster leader is now {Leader} (this node: {IsSelf}).")]
    private static partial void LogLeader(ILogger logger, string leader, bool isSelf);

    [LoggerMessage(10, LogLevel.Error, "A cluster change handler failed.")]
    private static partial void LogHandlerFailed(ILogger logger, Exception exception);
}
