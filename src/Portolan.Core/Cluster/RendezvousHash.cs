namespace Portolan.Core.Cluster;

/// <summary>
/// Highest-random-weight (rendezvous) hashing: a work item belongs to the node with the highest score for it.
/// When a node leaves, only its items move (each to its own next-best node, so they spread evenly); when one
/// joins, it takes an even share from everyone. The hash must be the same in every process, so it is FNV-1a
/// over UTF-16 code units with a murmur3 finaliser, never <see cref="string.GetHashCode()"/> (randomised per process).
/// </summary>
internal static class RendezvousHash
{
    public static ulong Hash(string value)
    {
        var hash = 14695981039346656037UL;
        foreach (var c in value)
        {
            hash = (hash ^ c) * 1099511628211UL;
        }

        return Mix(hash);
    }

    /// <summary>The score of an item (by its hash) on a node (by its hash).</summary>
    public static ulong Score(ulong nodeHash, ulong itemHash) => Mix(nodeHash ^ itemHash);

    private static ulong Mix(ulong h)
    {
        h ^= h >> 33;
        h *= 0xff51afd7ed558ccdUL;
        h ^= h >> 33;
        h *= 0xc4ceb9fe1a85ec53UL;
        h ^= h >> 33;
        return h;
    }
}
