namespace Portolan.Core.Registry;

/// <summary>
/// Where Cloud Map state lives in the store. Everything under <see cref="State"/> feeds the snapshot;
/// operations live under <see cref="Operations"/>, outside the snapshot root, because they only grow and no reader on a
/// hot path needs them. Name indexes make uniqueness a compare-and-swap (etcd-safe across nodes); the
/// per-service <c>instrev</c> key is touched by every register/deregister so its revision is the service's
/// InstancesRevision and a delete can guard against a concurrent registration.
/// </summary>
internal static class StoreKeys
{
    public const string Root = "/p/";
    public const string State = "/p/sd/";
    public const string Operations = "/ops/sd/";
    public const string Tags = "/p/tags/";

    public const string NamespacePrefix = "/p/sd/ns/";
    public const string NamespaceNamePrefix = "/p/sd/nsname/";
    public const string NamespaceServicesPrefix = "/p/sd/nssvc/";
    public const string ServicePrefix = "/p/sd/svc/";
    public const string ServiceNamePrefix = "/p/sd/svcname/";
    public const string InstancePrefix = "/p/sd/inst/";
    public const string HealthPrefix = "/p/sd/health/";
    public const string InstancesRevisionPrefix = "/p/sd/instrev/";

    public static string Namespace(string id) => NamespacePrefix + id;
    public static string NamespaceName(string name) => NamespaceNamePrefix + name.ToLowerInvariant();
    public static string NamespaceServices(string namespaceId) => NamespaceServicesPrefix + namespaceId;
    public static string Service(string id) => ServicePrefix + id;
    public static string ServiceName(string namespaceId, string nameKey) => ServiceNamePrefix + namespaceId + "/" + nameKey;
    public static string Instance(string serviceId, string instanceId) => InstancePrefix + serviceId + "/" + instanceId;
    public static string InstancesOf(string serviceId) => InstancePrefix + serviceId + "/";
    public static string Health(string serviceId, string instanceId) => HealthPrefix + serviceId + "/" + instanceId;
    public static string HealthOf(string serviceId) => HealthPrefix + serviceId + "/";
    public static string InstancesRevision(string serviceId) => InstancesRevisionPrefix + serviceId;
    public static string Operation(string id) => Operations + id;
    public static string TagsOf(string arn) => Tags + arn;

    /// <summary>Splits <c>{prefix}{serviceId}/{instanceId}</c>; instance ids may contain '/', service ids never do.</summary>
    public static (string ServiceId, string InstanceId) SplitServiceChild(string key, string prefix)
    {
        var rest = key.AsSpan(prefix.Length);
        var slash = rest.IndexOf('/');
        return (rest[..slash].ToString(), rest[(slash + 1)..].ToString());
    }
}
