namespace Portolan.Core.Ecs.Registry;

/// <summary>
/// Where ECS state lives in the store, under the snapshot root so every node's snapshot follows it. Names used
/// in keys (cluster, service, family) are restricted to <c>[A-Za-z0-9_-]</c> by validation, so they never contain
/// a separator. Task definition revisions are zero-padded so that keys sort by revision.
/// </summary>
internal static class EcsStoreKeys
{
    public const string Root = "/p/ecs/";
    public const string ClusterPrefix = "/p/ecs/cluster/";
    public const string TaskDefinitionPrefix = "/p/ecs/td/";
    public const string ServicePrefix = "/p/ecs/svc/";
    public const string TaskPrefix = "/p/ecs/task/";
    public const string EventsPrefix = "/p/ecs/events/";
    public const string MembersPrefix = "/p/ecs/members/";

    public static string Cluster(string name) => ClusterPrefix + name;
    public static string TaskDefinition(string family, int revision) => $"{TaskDefinitionPrefix}{family}/{revision:D10}";
    public static string Service(string cluster, string name) => ServicePrefix + cluster + "/" + name;
    public static string Task(string id) => TaskPrefix + id;
    public static string Events(string cluster, string service) => EventsPrefix + cluster + "/" + service;
    public static string Members(string cluster) => MembersPrefix + cluster;
}
