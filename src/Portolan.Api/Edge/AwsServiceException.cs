namespace Portolan.Api.Edge;

/// <summary>
/// An AWS error as the client should see it: <see cref="Code"/> becomes JSON <c>__type</c> or the Query
/// <c>&lt;Code&gt;</c>; <see cref="Fields"/> are extra members of the JSON error object (e.g.
/// <c>DuplicateOperationId</c>).
/// </summary>
public sealed class AwsServiceException(string code, string message, int statusCode = 400, IReadOnlyDictionary<string, string>? fields = null)
    : Exception(message)
{
    public string Code { get; } = code;
    public int StatusCode { get; } = statusCode;
    /// <summary>Query protocol fault type: <c>Sender</c> for 4xx, <c>Receiver</c> for 5xx.</summary>
    public string FaultType => StatusCode >= 500 ? "Receiver" : "Sender";
    public IReadOnlyDictionary<string, string> Fields { get; } = fields ?? new Dictionary<string, string>();

    public static AwsServiceException UnknownOperation(string operation) =>
        new("UnknownOperationException", $"Unknown operation {operation}.");
}
