namespace Portolan.Api.Edge;

/// <summary>Header names and media types of the AWS wire protocols (WIRE.md §2, §3, §5).</summary>
internal static class AwsWire
{
    public const string TargetHeader = "X-Amz-Target";
    public const string RequestIdHeader = "x-amzn-RequestId";
    public const string ErrorTypeHeader = "x-amzn-ErrorType";

    public const string JsonContentType = "application/x-amz-json-1.1";
    public const string XmlContentType = "text/xml";
    public const string FormContentType = "application/x-www-form-urlencoded";

    /// <summary>
    /// What a JSON caller sent as its body. Accepted loosely: any JSON-looking media type marks a request as JSON
    /// protocol even without <c>X-Amz-Target</c>, so that it gets a JSON (not XML) error.
    /// </summary>
    public static bool IsJsonMediaType(string? contentType) =>
        contentType is not null
        && (contentType.StartsWith("application/x-amz-json", StringComparison.OrdinalIgnoreCase)
            || contentType.StartsWith("application/json", StringComparison.OrdinalIgnoreCase));

    public static bool IsFormMediaType(string? contentType) =>
        contentType is not null && contentType.StartsWith(FormContentType, StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// Operation names become XML element names in Query replies and log fields, so the edge only accepts the
    /// shape every AWS operation has (ASCII letters and digits) and never echoes anything else into markup.
    /// </summary>
    public static bool IsOperationName(ReadOnlySpan<char> name)
    {
        if (name.IsEmpty || name.Length > 128)
        {
            return false;
        }

        foreach (var c in name)
        {
            if (!char.IsAsciiLetterOrDigit(c))
            {
                return false;
            }
        }

        return true;
    }
}
