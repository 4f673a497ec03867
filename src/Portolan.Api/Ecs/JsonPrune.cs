using System.Text.Json;
using System.Text.Json.Nodes;

namespace Portolan.Api.Ecs;

/// <summary>
/// Drops what a filled-in <c>--generate-cli-skeleton</c> leaves behind in members Portolan records but does not act
/// on: empty strings, and the arrays and objects that become empty without them. <c>0</c> and <c>false</c> are kept,
/// because they are meaningful values.
/// </summary>
internal static class JsonPrune
{
    /// <summary>The element without placeholders, or null when nothing is left.</summary>
    public static JsonElement? Clean(JsonElement? element)
    {
        if (element is not { } e || e.ValueKind is JsonValueKind.Null or JsonValueKind.Undefined) return null;
        var node = Prune(JsonNode.Parse(e.GetRawText()));
        if (node is null) return null;
        using var doc = JsonDocument.Parse(node.ToJsonString());
        return doc.RootElement.Clone();
    }

    public static Dictionary<string, JsonElement>? Clean(Dictionary<string, JsonElement>? members)
    {
        if (members is null) return null;
        var result = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        foreach (var (name, value) in members)
        {
            if (Clean(value) is { } cleaned) result[name] = cleaned;
        }
        return result.Count == 0 ? null : result;
    }

    private static JsonNode? Prune(JsonNode? node)
    {
        switch (node)
        {
            case null:
                return null;
            case JsonValue v:
                return v.GetValueKind() == JsonValueKind.String && v.GetValue<string>().Length == 0 ? null : v;
            case JsonArray a:
                for (var i = a.Count - 1; i >= 0; i--)
                {
                    var item = Prune(a[i]);
                    if (item is null) a.RemoveAt(i);
                }
                return a.Count == 0 ? null : a;
            case JsonObject o:
                foreach (var name in o.Select(p => p.Key).ToList())
                {
                    if (Prune(o[name]) is null) o.Remove(name);
                }
                return o.Count == 0 ? null : o;
            default:
                return node;
        }
    }
}
