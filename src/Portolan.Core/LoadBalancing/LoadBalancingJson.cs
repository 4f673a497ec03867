using System.Collections.Immutable;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace Portolan.Core.LoadBalancing;

/// <summary>How load-balancing records are written into the store: compact JSON through source-generated serializers.</summary>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(LoadBalancerRecord))]
[JsonSerializable(typeof(TargetGroupRecord))]
[JsonSerializable(typeof(ListenerRecord))]
[JsonSerializable(typeof(RuleRecord))]
[JsonSerializable(typeof(TargetRecord))]
[JsonSerializable(typeof(TargetHealthRecord))]
[JsonSerializable(typeof(ImmutableSortedDictionary<string, string>))]
internal sealed partial class LoadBalancingJsonContext : JsonSerializerContext;

internal static class LoadBalancingJson
{
    public static byte[] Serialize<T>(T value) => JsonSerializer.SerializeToUtf8Bytes(value, Info<T>());

    public static T Deserialize<T>(ReadOnlyMemory<byte> bytes) =>
        JsonSerializer.Deserialize(bytes.Span, Info<T>()) ?? throw new InvalidDataException($"Stored {typeof(T).Name} is null.");

    private static JsonTypeInfo<T> Info<T>() => (JsonTypeInfo<T>)LoadBalancingJsonContext.Default.GetTypeInfo(typeof(T))!;
}
