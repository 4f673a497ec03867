using System.Collections.Immutable;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using Portolan.Core.Ecs.Model;

namespace Portolan.Core.Ecs.Registry;

/// <summary>How ECS records are written into the store: compact JSON through source-generated serializers.</summary>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(ClusterRecord))]
[JsonSerializable(typeof(TaskDefinitionRecord))]
[JsonSerializable(typeof(EcsServiceRecord))]
[JsonSerializable(typeof(TaskRecord))]
[JsonSerializable(typeof(ImmutableList<ServiceEventRecord>))]
internal sealed partial class EcsRecordJsonContext : JsonSerializerContext;

internal static class EcsRecordJson
{
    public static byte[] Serialize<T>(T value) =>
        JsonSerializer.SerializeToUtf8Bytes(value, (JsonTypeInfo<T>)EcsRecordJsonContext.Default.GetTypeInfo(typeof(T))!);

    public static T Deserialize<T>(ReadOnlyMemory<byte> bytes) =>
        JsonSerializer.Deserialize(bytes.Span, (JsonTypeInfo<T>)EcsRecordJsonContext.Default.GetTypeInfo(typeof(T))!)
        ?? throw new InvalidDataException($"Stored {typeof(T).Name} is null.");
}
