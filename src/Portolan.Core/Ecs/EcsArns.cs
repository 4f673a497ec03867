namespace Portolan.Core.Ecs;

/// <summary>
/// ECS ARNs in the long format (the only one new AWS accounts get): the cluster name is part of service, task,
/// container and container-instance ARNs. Parsers accept a bare name or id as well, as ECS does.
/// </summary>
public sealed class EcsArns(string region, string account)
{
    private readonly string _prefix = $"arn:aws:ecs:{region}:{account}:";

    public string Region { get; } = region;
    public string Account { get; } = account;

    public string Cluster(string name) => $"{_prefix}cluster/{name}";
    public string Service(string cluster, string name) => $"{_prefix}service/{cluster}/{name}";
    public string Task(string cluster, string id) => $"{_prefix}task/{cluster}/{id}";
    public string TaskDefinition(string family, int revision) => $"{_prefix}task-definition/{family}:{revision}";
    public string Container(string cluster, string taskId, string containerId) => $"{_prefix}container/{cluster}/{taskId}/{containerId}";
    public string ContainerInstance(string cluster, string id) => $"{_prefix}container-instance/{cluster}/{id}";

    /// <summary>The cluster name of a name or cluster ARN; null when it is an ARN of something else.</summary>
    public static string? ClusterName(string nameOrArn)
    {
        if (!IsArn(nameOrArn)) return nameOrArn;
        var resource = Resource(nameOrArn);
        return resource.StartsWith("cluster/", StringComparison.Ordinal) ? resource["cluster/".Length..] : null;
    }

    /// <summary>
    /// The (cluster, name) of a service name or ARN. A long ARN names its cluster; a bare name or an old-format ARN
    /// (<c>service/name</c>) leaves the cluster to the caller (null).
    /// </summary>
    public static (string? Cluster, string? Name) ServiceName(string nameOrArn) => SplitChild(nameOrArn, "service/");

    /// <summary>The (cluster, id) of a task id or ARN, as <see cref="ServiceName"/> does for services.</summary>
    public static (string? Cluster, string? Id) TaskId(string idOrArn) => SplitChild(idOrArn, "task/");

    /// <summary>
    /// Splits a task definition reference: <c>family</c> (revision null: the latest ACTIVE), <c>family:revision</c>
    /// or a task-definition ARN. Null when it is none of these.
    /// </summary>
    public static (string Family, int? Revision)? TaskDefinitionRef(string reference)
    {
        var text = reference;
        if (IsArn(reference))
        {
            var resource = Resource(reference);
            if (!resource.StartsWith("task-definition/", StringComparison.Ordinal)) return null;
            text = resource["task-definition/".Length..];
        }
        var colon = text.LastIndexOf(':');
        if (colon < 0) return text.Length == 0 ? null : (text, null);
        if (!int.TryParse(text.AsSpan(colon + 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var revision) || revision < 1)
            return null;
        return (text[..colon], revision);
    }

    private static (string? Cluster, string? Name) SplitChild(string nameOrArn, string kind)
    {
        if (!IsArn(nameOrArn)) return (null, nameOrArn);
        var resource = Resource(nameOrArn);
        if (!resource.StartsWith(kind, StringComparison.Ordinal)) return (null, null);
        var rest = resource[kind.Length..];
        var slash = rest.IndexOf('/');
        return slash < 0 ? (null, rest) : (rest[..slash], rest[(slash + 1)..]);
    }

    private static bool IsArn(string text) => text.StartsWith("arn:", StringComparison.Ordinal);

    /// <summary>The part after the fifth colon: <c>arn:partition:service:region:account:RESOURCE</c>.</summary>
    private static string Resource(string arn)
    {
        var at = 0;
        for (var i = 0; i < 5; i++)
        {
            at = arn.IndexOf(':', at) + 1;
            if (at == 0) return "";
        }
        return arn[at..];
    }
}
