namespace Portolan.Core.Cluster;

/// <summary>
/// This node's place in the cluster: who is live, who leads, and which work items are this node's. Work that
/// must run once per cluster (the ECS scheduler) runs where <see cref="IsLeader"/>; work divided across nodes
/// (health checks) runs where <see cref="Owns"/>. On a single node (SQLite) this node is the only member, the
/// leader, and owns everything. Members are thread-safe and cheap (one volatile read, no allocation).
/// </summary>
public interface IClusterMembership
{
    /// <summary>This node's id.</summary>
    string NodeId { get; }

    /// <summary>The current view of the cluster.</summary>
    ClusterView View { get; }

    /// <summary>
    /// Whether this node holds the leader key on its current lease and that lease is still known to be alive
    /// (renewed less than one TTL ago). A node cut off from the store stops leading on its own within one TTL,
    /// the time after which the others may elect a new leader.
    /// </summary>
    bool IsLeader { get; }

    /// <summary>Whether this node's lease was renewed less than one TTL ago (i.e. the cluster still counts it live).</summary>
    bool IsLive { get; }

    /// <summary>
    /// Whether this node owns work item <paramref name="key"/> now: it is live and the item's rendezvous owner
    /// among the live nodes. An owner's death moves its items to the others within its lease TTL.
    /// </summary>
    bool Owns(string key);

    /// <summary>Raised (on a background thread) after each new view is published; keep handlers short.</summary>
    event Action<ClusterView>? Changed;

    /// <summary>Completes once a view newer than <paramref name="seen"/> is published.</summary>
    Task WaitForChangeAsync(ClusterView seen, CancellationToken cancellationToken = default);
}
