namespace Portolan.Core.Cluster;

/// <summary>How this node joins the cluster.</summary>
public sealed class ClusterOptions
{
    /// <summary>This node's id, unique in the cluster (<c>--node-name</c>). Required.</summary>
    public string NodeId { get; set; } = "";

    /// <summary>
    /// Lease TTL of the node's registration: a node that stops renewing (crash, partition) is dropped, and its
    /// work taken over, this long after its last renewal. Renewed every third of it.
    /// </summary>
    /// <remarks>
    /// Defaults to 3 s, so work moves within the 5 s Portolan promises. etcd raises a TTL below its minimum
    /// (1.5 election timeouts: 1.5 s with etcd's defaults) to that minimum.
    /// </remarks>
    public TimeSpan NodeTtl { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>What the node advertises (read when it registers): e.g. <c>api</c> and <c>dns</c> endpoints.</summary>
    public Func<IReadOnlyDictionary<string, IReadOnlyList<string>>> Addresses { get; set; } = static () => new Dictionary<string, IReadOnlyList<string>>();

    /// <summary>
    /// Facts the node advertises to the others (read when it registers), e.g. the ECS container instance id it runs
    /// tasks as; see <see cref="ClusterNode.Meta"/>.
    /// </summary>
    public IDictionary<string, string> Meta { get; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>The Portolan version the node advertises.</summary>
    public string Version { get; set; } = "";
}
