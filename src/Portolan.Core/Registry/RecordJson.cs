using System.Collections.Immutable;
using System.Text.Json;
using System.Text.Json.Serialization;
using Portolan.Core.Discovery;

namespace Portolan.Core.Registry;

/// <summary>How records are written into the store: compact JSON through source-generated serializers.</summary>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(NamespaceRecord))]
[JsonSerializable(typeof(ServiceRecord))]
[JsonSerializable(typeof(InstanceRecord))]
[JsonSerializable(typeof(InstanceHealth))]
[JsonSerializable(typeof(OperationRecord))]
[JsonSerializable(typeof(ImmutableSortedDictionary<string, string>))]
internal sealed partial class RecordJsonContext : JsonSerializerContext;

internal static class RecordJson
{
    public static byte[] Serialize<T>(T value) =>
        JsonSerializer.SerializeToUtf8Bytes(value, (System.Text.Json.Serialization.Metadata.JsonTypeInfo<T>)RecordJsonContext.Default.GetTypeInfo(typeof(T))!);

    public static T Deserialize<T>(ReadOnlyMemory<byte> bytes) =>
        JsonSerializer.Deserialize(bytes.Span, (System.Text.Json.Serialization.Metadata.JsonTypeInfo<T>)RecordJsonContext.Default.GetTypeInfo(typeof(T))!)
        ?? throw new InvalidDataException($"Stored {typeof(T).Name} is null.");
}
