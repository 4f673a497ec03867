using Microsoft.Extensions.Options;
using Portolan.Core.Cluster;

namespace Portolan.Core.Ecs.Registry;

/// <summary>
/// The container instances tasks can be placed on. A Portolan node is one ECS container instance: its id is the node's
/// <see cref="EcsOptions.NodeId"/> (32 hex digits kept in the node's data directory), so a task's
/// <c>containerInstanceArn</c> names the node that runs it and stays the same across that node's restarts.
/// </summary>
public interface IContainerInstances
{
    /// <summary>Ids of the instances that can run tasks now, ordered by id (this node's among them while it is live).</summary>
    IReadOnlyList<string> Live { get; }

    /// <summary>
    /// True once instance <paramref name="id"/> is known to be gone (its node left the cluster), so that nothing runs
    /// its tasks any more. Never true on a single node: what it does not run, nobody else would either.
    /// </summary>
    bool IsLost(string id);

    /// <summary>The name of the node that is (or last was) instance <paramref name="id"/>, for messages; null if never seen.</summary>
    string? NodeName(string id);
}

/// <summary>A single node: the only container instance is this node.</summary>
public sealed class LocalContainerInstances(IOptions<EcsOptions> options) : IContainerInstances
{
    private readonly string[] _live = [options.Value.NodeId];

    public IReadOnlyList<string> Live => _live;

    public bool IsLost(string id) => false;

    public string? NodeName(string id) => null;
}

/// <summary>
/// A cluster on a shared store: the live container instances are the live members, each advertising the instance id
/// it runs tasks as in its node meta (<see cref="MetaKey"/>). A member whose lease expired is no longer an instance,
/// and its tasks are lost.
/// </summary>
public sealed class ClusterContainerInstances : IContainerInstances
{
    /// <summary>The <see cref="ClusterNode.Meta"/> key holding the node's container instance id.</summary>
    public const string MetaKey = "ecs.containerInstanceId";

    private readonly IClusterMembership _membership;
    private readonly Lock _lock = new();
    private readonly Dictionary<string, string> _names = new(StringComparer.Ordinal);
    private LiveSet _live = new(ClusterView.Empty, []);

    public ClusterContainerInstances(IClusterMembership membership)
    {
        _membership = membership;
        // Every view, not only those this node places tasks from: the name of a node that dies is known afterwards.
        _membership.Changed += _ => Current();
        Current();
    }

    public IReadOnlyList<string> Live => Current();

    public bool IsLost(string id) => Array.IndexOf(Current(), id) < 0;

    public string? NodeName(string id)
    {
        Current();
        lock (_lock) return _names.GetValueOrDefault(id);
    }

    /// <summary>The instance ids of the current view, computed once per view.</summary>
    private string[] Current()
    {
        var view = _membership.View;
        var live = Volatile.Read(ref _live);
        if (ReferenceEquals(live.View, view)) return live.Ids;
        var ids = new List<string>(view.Nodes.Length);
        lock (_lock)
        {
            foreach (var node in view.Nodes)
            {
                if (!node.Meta.TryGetValue(MetaKey, out var id)) continue;
                ids.Add(id);
                _names[id] = node.Id;
            }
        }

        ids.Sort(StringComparer.Ordinal);
        var next = new LiveSet(view, ids.ToArray());
        Volatile.Write(ref _live, next);
        return next.Ids;
    }

    private sealed record LiveSet(ClusterView View, string[] Ids);
}
