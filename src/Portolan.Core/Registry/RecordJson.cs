using System.Collections.Immutable;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
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
    public static byte[] Serialize<T>(T value) => JsonSerializer.SerializeToUtf8Bytes(value, TypeInfo<T>.Value);

    public static T Deserialize<T>(ReadOnlyMemory<byte> bytes) =>
        JsonSerializer.Deserialize(bytes.Span, TypeInfo<T>.Value) ?? throw new InvalidDataException($"Stored {typeof(T).Name} is null.");

    /// <summary>The context's serializer for <typeparamref name="T"/>, looked up once (a load reads 100,000s of records).</summary>
    private static class TypeInfo<T>
    {
        public static readonly JsonTypeInfo<T> Value = (JsonTypeInfo<T>)RecordJsonContext.Default.GetTypeInfo(typeof(T))!;
    }
}
