using System.Text.RegularExpressions;
using Portolan.Core.Registry;

namespace Portolan.Core.Discovery.Validation;

/// <summary>Name rules from the Cloud Map API model (botocore servicediscovery 2017-03-14).</summary>
public static partial class Names
{
    [GeneratedRegex(@"^[!-~]{1,1024}$")]
    private static partial Regex HttpNamespaceName();

    [GeneratedRegex(@"^([a-zA-Z0-9]([a-zA-Z0-9\-]{0,61}[a-zA-Z0-9])?\.)+[a-zA-Z0-9]([a-zA-Z0-9\-]{0,61}[a-zA-Z0-9])?$")]
    private static partial Regex PublicNamespaceName();

    [GeneratedRegex(@"^([a-zA-Z0-9_]([a-zA-Z0-9_\-]{0,61}[a-zA-Z0-9_])?)(\.[a-zA-Z0-9_]([a-zA-Z0-9_\-]{0,61}[a-zA-Z0-9_])?)*$")]
    private static partial Regex DnsName();

    [GeneratedRegex(@"^(?=.{1,127}$)([a-zA-Z0-9_][a-zA-Z0-9\-_]{0,61}[a-zA-Z0-9_]|[a-zA-Z0-9])(\.([a-zA-Z0-9_][a-zA-Z0-9\-_]{0,61}[a-zA-Z0-9_]|[a-zA-Z0-9]))*$")]
    private static partial Regex ServiceName();

    [GeneratedRegex(@"^[0-9a-zA-Z_/:.@-]+$")]
    private static partial Regex InstanceId();

    /// <summary>Validates a namespace name for its type and returns it without a trailing dot.</summary>
    public static string Namespace(string? name, NamespaceType type)
    {
        if (string.IsNullOrEmpty(name)) throw RegistryException.InvalidInput("Namespace name is required.");
        if (type == NamespaceType.Http)
        {
            if (!HttpNamespaceName().IsMatch(name)) throw RegistryException.InvalidInput($"Namespace name '{name}' is invalid: use 1-1024 printable ASCII characters without spaces.");
            return name;
        }

        // DNS namespaces become zones Portolan answers for, so the name must be a real DNS name.
        var trimmed = name.EndsWith('.') ? name[..^1] : name;
        var valid = trimmed.Length is > 0 and <= 253 &&
                    (type == NamespaceType.DnsPublic ? PublicNamespaceName().IsMatch(trimmed) : DnsName().IsMatch(trimmed));
        if (!valid) throw RegistryException.InvalidInput($"Namespace name '{name}' is not a valid DNS name (labels of 1-63 letters, digits, '-' or '_', 253 characters at most).");
        return trimmed;
    }

    public static void Service(string? name)
    {
        if (string.IsNullOrEmpty(name)) throw RegistryException.InvalidInput("Service name is required.");
        if (!ServiceName().IsMatch(name)) throw RegistryException.InvalidInput($"Service name '{name}' is invalid: DNS labels of letters, digits, '-' and '_', 127 characters at most.");
    }

    public static void Instance(string? id)
    {
        if (string.IsNullOrEmpty(id)) throw RegistryException.InvalidInput("InstanceId is required.");
        if (id.Length > 64 || !InstanceId().IsMatch(id)) throw RegistryException.InvalidInput($"InstanceId '{id}' is invalid: at most 64 characters from [0-9a-zA-Z_/:.@-].");
    }

    public static void Description(string? description)
    {
        if (description is { Length: > 1024 }) throw RegistryException.InvalidInput("Description must be at most 1024 characters.");
    }

    public static void CreatorRequestId(string? id)
    {
        if (id is { Length: > 64 }) throw RegistryException.InvalidInput("CreatorRequestId must be at most 64 characters.");
    }
}
