using System.Buffers;

namespace Portolan.Api.Edge;

/// <summary>One authenticated AWS API request, as the edge hands it to an <see cref="IAwsService"/>.</summary>
public sealed class AwsCall
{
    public required string Operation { get; init; }
    public required AwsProtocol Protocol { get; init; }

    /// <summary>
    /// The raw request body (JSON for <see cref="AwsProtocol.Json"/>). It lives in a pooled buffer that the edge
    /// reuses once <see cref="IAwsService.InvokeAsync"/> completes: copy what must outlive the call.
    /// </summary>
    public required ReadOnlyMemory<byte> Body { get; init; }

    /// <summary>Decoded form parameters for <see cref="AwsProtocol.Query"/> (flat keys such as <c>Targets.member.1.Id</c>); empty for JSON.</summary>
    public IReadOnlyDictionary<string, string> Form { get; init; } = System.Collections.ObjectModel.ReadOnlyDictionary<string, string>.Empty;

    /// <summary>The id echoed in <c>x-amzn-RequestId</c> and Query <c>ResponseMetadata</c>.</summary>
    public required string RequestId { get; init; }

    /// <summary>Access key id from the SigV4 credential scope, when the request was signed.</summary>
    public string? AccessKeyId { get; init; }

    /// <summary>Where the service writes its success body.</summary>
    public required IBufferWriter<byte> Output { get; init; }
}
