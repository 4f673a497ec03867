namespace Portolan.Core.Ids;

/// <summary>ARNs as Cloud Map writes them: <c>arn:aws:servicediscovery:us-east-1:000000000000:service/srv-…</c>.</summary>
public sealed class Arns(string region, string account)
{
    public string Region { get; } = region;
    public string Account { get; } = account;

    public string Namespace(string namespaceId) => $"arn:aws:servicediscovery:{Region}:{Account}:namespace/{namespaceId}";
    public string Service(string serviceId) => $"arn:aws:servicediscovery:{Region}:{Account}:service/{serviceId}";

    /// <summary>
    /// Accepts a service id or a service ARN (newer SDKs send either for <c>ServiceId</c>) and returns the id,
    /// or null when it is an ARN of something else.
    /// </summary>
    public static string? ServiceIdFrom(string idOrArn)
    {
        if (!idOrArn.StartsWith("arn:", StringComparison.Ordinal))
        {
            return idOrArn;
        }

        var slash = idOrArn.LastIndexOf(":service/", StringComparison.Ordinal);
        return slash < 0 ? null : idOrArn[(slash + ":service/".Length)..];
    }
}
