using System.Collections.Immutable;

namespace Portolan.Core.Cluster;

/// <summary>
/// The cluster as one node sees it at one store revision: the live nodes (those whose lease keys exist) and the
/// leader. Immutable; a new view replaces the old one with a single reference write.
/// </summary>
public sealed class ClusterView
{
    private readonly ulong[] _nodeHashes;

    public ClusterView(long revision, IEnumerable<ClusterNode> nodes, string? leaderId, long leaderLease)
    {
        Revision = revision;
        Nodes = nodes.OrderBy(n => n.Id, StringComparer.Ordinal).ToImmutableArray();
        LeaderId = leaderId;
        LeaderLease = leaderLease;
        _nodeHashes = Nodes.Select(n => RendezvousHash.Hash(n.Id)).ToArray();
    }

    public static ClusterView Empty { get; } = new(0, [], null, 0);

    /// <summary>The store revision this view reflects.</summary>
    public long Revision { get; }

    /// <summary>Live nodes, ordered by id.</summary>
    public ImmutableArray<ClusterNode> Nodes { get; }

    /// <summary>The leader's node id, or null while there is none (between a leader's death and the next election).</summary>
    public string? LeaderId { get; }

    /// <summary>The lease the leader key is attached to (0 without a leader).</summary>
    public long LeaderLease { get; }

    public ClusterNode? Find(string id)
    {
        foreach (var node in Nodes)
        {
            if (node.Id == id) return node;
        }

        return null;
    }

    /// <summary>
    /// The live node that owns <paramref name="key"/> (rendezvous hashing over node ids), or null when no node is
    /// live. Every node computes the same owner from the same view; allocation-free.
    /// </summary>
    public string? OwnerOf(string key)
    {
        if (Nodes.IsEmpty) return null;
        var item = RendezvousHash.Hash(key);
        var best = 0;
        var bestScore = RendezvousHash.Score(_nodeHashes[0], item);
        for (var i = 1; i < _nodeHashes.Length; i++)
        {
            var score = RendezvousHash.Score(_nodeHashes[i], item);
            if (score > bestScore)
            {
                best = i;
                bestScore = score;
            }
        }

        return Nodes[best].Id;
    }
}
