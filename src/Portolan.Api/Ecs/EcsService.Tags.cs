using System.Text.Json;
using Portolan.Api.Edge;

namespace Portolan.Api.Ecs;

internal sealed partial class EcsService
{
    private async ValueTask TagResource(AwsCall call, Utf8JsonWriter w, CancellationToken ct)
    {
        var r = Parse(call, EcsJsonContext.Default.TagResourceRequest);
        await _registry.TagResourceAsync(Required(r.ResourceArn, "resourceArn"), EcsInput.Tags(r.Tags), ct);
        Empty(w);
    }

    private async ValueTask UntagResource(AwsCall call, Utf8JsonWriter w, CancellationToken ct)
    {
        var r = Parse(call, EcsJsonContext.Default.TagResourceRequest);
        await _registry.UntagResourceAsync(Required(r.ResourceArn, "resourceArn"), r.TagKeys, ct);
        Empty(w);
    }

    private ValueTask ListTagsForResource(AwsCall call, Utf8JsonWriter w)
    {
        var r = Parse(call, EcsJsonContext.Default.TagResourceRequest);
        var tags = _registry.ListTags(Required(r.ResourceArn, "resourceArn"));
        w.WriteStartObject();
        w.WriteStartArray("tags");
        foreach (var (k, v) in tags)
        {
            w.WriteStartObject();
            w.WriteString("key", k);
            w.WriteString("value", v);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteEndObject();
        return ValueTask.CompletedTask;
    }
}
