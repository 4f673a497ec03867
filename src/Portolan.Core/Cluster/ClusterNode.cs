using System.Text.Json;
using System.Text.Json.Serialization;

namespace Portolan.Core.Cluster;

/// <summary>
/// A live node as it registered itself: stored as JSON at <c>/cluster/nodes/{Id}</c>, attached to the node's
/// lease, so the key (and the node with it) disappears when the node stops renewing.
/// </summary>
/// <param name="Id">The node's name (<c>--node-name</c>), unique in the cluster.</param>
/// <param name="Addresses">What the node serves and where, e.g. <c>api</c> → <c>http://10.0.0.1:7766</c>, <c>dns</c> → <c>udp://10.0.0.1:7753</c>.</param>
/// <param name="StartedAt">When this incarnation of the node registered.</param>
/// <param name="Version">The Portolan version it runs.</param>
public sealed record ClusterNode(
    string Id,
    IReadOnlyDictionary<string, IReadOnlyList<string>> Addresses,
    DateTimeOffset StartedAt,
    string Version)
{
    /// <summary>
    /// Facts other parts of Portolan need about the node, like Consul's node meta: e.g. the ECS container instance it
    /// runs tasks as (<c>ecs.containerInstanceId</c>). Empty when the node advertised none.
    /// </summary>
    public IReadOnlyDictionary<string, string> Meta { get; init; } = EmptyMeta;

    /// <summary>The lease the node's key is attached to (from the store, not the JSON).</summary>
    [JsonIgnore]
    public long Lease { get; init; }

    private static readonly IReadOnlyDictionary<string, string> EmptyMeta = new Dictionary<string, string>();

    internal byte[] ToJson() => JsonSerializer.SerializeToUtf8Bytes(this, ClusterJsonContext.Default.ClusterNode);

    internal static ClusterNode? FromJson(ReadOnlyMemory<byte> json, long lease)
    {
        try
        {
            return JsonSerializer.Deserialize(json.Span, ClusterJsonContext.Default.ClusterNode) is { } node ? node with { Lease = lease } : null;
        }
        catch (JsonException)
        {
            return null; // Written by something that is not a Portolan node of this format: not a member.
        }
    }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(ClusterNode))]
internal sealed partial class ClusterJsonContext : JsonSerializerContext;
