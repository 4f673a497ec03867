namespace Portolan.Core.Registry;

/// <summary>
/// A rejected command. <see cref="Code"/> is the AWS error name the client sees (Cloud Map's own names:
/// <c>NamespaceNotFound</c>, <c>InvalidInput</c>, …); <see cref="Fields"/> are the extra members AWS puts in
/// that error (e.g. <c>DuplicateOperationId</c>). Nothing was written when this is thrown.
/// </summary>
public sealed class RegistryException(string code, string message, IReadOnlyDictionary<string, string>? fields = null)
    : Exception(message)
{
    public string Code { get; } = code;
    public IReadOnlyDictionary<string, string> Fields { get; } = fields ?? new Dictionary<string, string>();

    public static RegistryException InvalidInput(string message) => new(ErrorCodes.InvalidInput, message);
}

/// <summary>Cloud Map error names (botocore servicediscovery model).</summary>
public static class ErrorCodes
{
    public const string InvalidInput = "InvalidInput";
    public const string NamespaceNotFound = "NamespaceNotFound";
    public const string ServiceNotFound = "ServiceNotFound";
    public const string InstanceNotFound = "InstanceNotFound";
    public const string OperationNotFound = "OperationNotFound";
    public const string NamespaceAlreadyExists = "NamespaceAlreadyExists";
    public const string ServiceAlreadyExists = "ServiceAlreadyExists";
    public const string ResourceInUse = "ResourceInUse";
    public const string ResourceLimitExceeded = "ResourceLimitExceeded";
    public const string DuplicateRequest = "DuplicateRequest";
    public const string CustomHealthNotFound = "CustomHealthNotFound";
    public const string ResourceNotFound = "ResourceNotFoundException";
    public const string TooManyTags = "TooManyTagsException";
    public const string ServiceAttributesLimitExceeded = "ServiceAttributesLimitExceededException";
    public const string RequestLimitExceeded = "RequestLimitExceeded";
}
