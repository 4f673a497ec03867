namespace Portolan.Core.Cluster;

/// <summary>
/// Where cluster bookkeeping lives in the store: outside the registry root (<c>/p/</c>), so node churn never
/// rebuilds the registry snapshot. Both kinds of key are attached to a node's lease.
/// </summary>
internal static class ClusterKeys
{
    public const string Root = "/cluster/";
    public const string NodePrefix = "/cluster/nodes/";

    /// <summary>Holds the leader's node id; created only when absent (compare-and-swap), on the leader's lease.</summary>
    public const string Leader = "/cluster/leader";

    public static string Node(string id) => NodePrefix + id;
}
