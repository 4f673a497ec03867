using System.Text.Json;
using Portolan.Api.Edge;
using Portolan.Core.Registry;

namespace Portolan.Api.CloudMap;

internal sealed partial class CloudMapService
{
    private async ValueTask GetOperation(AwsCall call, Utf8JsonWriter w, CancellationToken ct)
    {
        var id = Required(Parse(call, CloudMapJsonContext.Default.GetOperationRequest).OperationId, "operationId");
        var op = await _operations.GetAsync(id, ct) ?? throw NotFound(ErrorCodes.OperationNotFound, $"Operation {id} not found.");
        w.WriteStartObject();
        w.WritePropertyName("Operation");
        CloudMapWriter.Operation(w, op);
        w.WriteEndObject();
    }

    private async ValueTask ListOperations(AwsCall call, Utf8JsonWriter w, CancellationToken ct)
    {
        var r = Parse(call, CloudMapJsonContext.Default.ListRequest);
        var match = Filters.Operations(r.Filters);
        var (page, continueAfter) = await _operations.ListAsync(Paging.Decode(r.NextToken), Paging.Limit(r.MaxResults), match, ct);
        w.WriteStartObject();
        w.WriteStartArray("Operations");
        foreach (var op in page)
        {
            w.WriteStartObject();
            w.WriteString("Id", op.Id);
            w.WriteString("Status", CloudMapWriter.Wire(op.Status));
            w.WriteEndObject();
        }
        w.WriteEndArray();
        if (continueAfter is not null) w.WriteString("NextToken", Paging.Encode(continueAfter));
        w.WriteEndObject();
    }

    private async ValueTask TagResource(AwsCall call, Utf8JsonWriter w, CancellationToken ct)
    {
        var r = Parse(call, CloudMapJsonContext.Default.TagResourceRequest);
        await _registry.TagResourceAsync(Required(r.ResourceARN, "resourceARN"), Tags(r.Tags), ct);
        w.WriteStartObject();
        w.WriteEndObject();
    }

    private async ValueTask UntagResource(AwsCall call, Utf8JsonWriter w, CancellationToken ct)
    {
        var r = Parse(call, CloudMapJsonContext.Default.TagResourceRequest);
        await _registry.UntagResourceAsync(Required(r.ResourceARN, "resourceARN"), r.TagKeys, ct);
        w.WriteStartObject();
        w.WriteEndObject();
    }

    private ValueTask ListTagsForResource(AwsCall call, Utf8JsonWriter w)
    {
        var r = Parse(call, CloudMapJsonContext.Default.TagResourceRequest);
        var tags = _registry.ListTags(Required(r.ResourceARN, "resourceARN"));
        w.WriteStartObject();
        w.WriteStartArray("Tags");
        foreach (var (k, v) in tags)
        {
            w.WriteStartObject();
            w.WriteString("Key", k);
            w.WriteString("Value", v);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteEndObject();
        return ValueTask.CompletedTask;
    }
}
