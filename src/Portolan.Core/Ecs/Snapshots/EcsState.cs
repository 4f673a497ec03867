using System.Collections.Immutable;
using Portolan.Core.Ecs.Model;

namespace Portolan.Core.Ecs.Snapshots;

/// <summary>
/// The ECS section of the registry snapshot: clusters, task definitions, services, tasks and service events,
/// immutable like the rest of the snapshot. Services and events are keyed <c>cluster/name</c>; tasks by id.
/// </summary>
public sealed record EcsState
{
    public static readonly EcsState Empty = new();

    public ImmutableDictionary<string, Stored<ClusterRecord>> Clusters { get; init; } = ImmutableDictionary<string, Stored<ClusterRecord>>.Empty;

    /// <summary>Revisions of each family, in revision order.</summary>
    public ImmutableDictionary<string, ImmutableSortedDictionary<int, Stored<TaskDefinitionRecord>>> Families { get; init; } =
        ImmutableDictionary<string, ImmutableSortedDictionary<int, Stored<TaskDefinitionRecord>>>.Empty;

    public ImmutableDictionary<string, Stored<EcsServiceRecord>> Services { get; init; } = ImmutableDictionary<string, Stored<EcsServiceRecord>>.Empty;
    public ImmutableDictionary<string, Stored<TaskRecord>> Tasks { get; init; } = ImmutableDictionary<string, Stored<TaskRecord>>.Empty;
    public ImmutableDictionary<string, Stored<ImmutableList<ServiceEventRecord>>> Events { get; init; } =
        ImmutableDictionary<string, Stored<ImmutableList<ServiceEventRecord>>>.Empty;

    /// <summary>Revision of each cluster's member key, which every service and task creation touches (0 before the first).</summary>
    public ImmutableDictionary<string, long> MemberRevisions { get; init; } = ImmutableDictionary<string, long>.Empty;

    public static string ServiceKey(string cluster, string name) => cluster + "/" + name;

    public Stored<ClusterRecord>? Cluster(string name) => Clusters.GetValueOrDefault(name);

    public Stored<EcsServiceRecord>? Service(string cluster, string name) => Services.GetValueOrDefault(ServiceKey(cluster, name));

    public Stored<TaskRecord>? Task(string id) => Tasks.GetValueOrDefault(id);

    public IEnumerable<Stored<TaskRecord>> TasksOf(string cluster) => Tasks.Values.Where(t => t.Record.Cluster == cluster);

    public IEnumerable<Stored<TaskRecord>> TasksOfService(string cluster, string service) =>
        Tasks.Values.Where(t => t.Record.ServiceName == service && t.Record.Cluster == cluster);

    public ImmutableList<ServiceEventRecord> EventsOf(string cluster, string service) =>
        Events.GetValueOrDefault(ServiceKey(cluster, service))?.Record ?? [];

    /// <summary>A revision of a family, or with no revision the latest ACTIVE one.</summary>
    public Stored<TaskDefinitionRecord>? TaskDefinition(string family, int? revision)
    {
        if (!Families.TryGetValue(family, out var revisions)) return null;
        if (revision is { } r) return revisions.GetValueOrDefault(r);
        return revisions.Values.LastOrDefault(t => t.Record.IsActive);
    }

    public Stored<TaskDefinitionRecord>? TaskDefinitionByArn(string arn) =>
        EcsArns.TaskDefinitionRef(arn) is { Revision: { } rev } parsed ? TaskDefinition(parsed.Family, rev) : null;
}
