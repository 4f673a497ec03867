using System.Text.Json;
using Portolan.Api.Edge;
using Portolan.Core.Discovery;
using Portolan.Core.Registry;
using Portolan.Core.Snapshots;

namespace Portolan.Api.CloudMap;

internal sealed partial class CloudMapService
{
    private ValueTask CreateHttpNamespace(AwsCall call, Utf8JsonWriter w, CancellationToken ct) =>
        CreateNamespace(call, w, NamespaceType.Http, ct);

    private ValueTask CreatePrivateDnsNamespace(AwsCall call, Utf8JsonWriter w, CancellationToken ct) =>
        CreateNamespace(call, w, NamespaceType.DnsPrivate, ct);

    private ValueTask CreatePublicDnsNamespace(AwsCall call, Utf8JsonWriter w, CancellationToken ct) =>
        CreateNamespace(call, w, NamespaceType.DnsPublic, ct);

    private async ValueTask CreateNamespace(AwsCall call, Utf8JsonWriter w, NamespaceType type, CancellationToken ct)
    {
        var r = Parse(call, CloudMapJsonContext.Default.CreateNamespaceRequest);
        Required(r.Name, "name");
        if (type == NamespaceType.DnsPrivate) Required(r.Vpc, "vpc");
        var opId = await _registry.CreateNamespaceAsync(new CreateNamespaceCommand(
            type, r.Name, r.CreatorRequestId, r.Description, r.Vpc, r.Properties?.DnsProperties?.SOA?.TTL, Tags(r.Tags)), ct);
        WriteOperationId(w, opId);
    }

    private async ValueTask UpdateNamespace(AwsCall call, Utf8JsonWriter w, NamespaceType type, CancellationToken ct)
    {
        var r = Parse(call, CloudMapJsonContext.Default.UpdateNamespaceRequest);
        var id = Required(r.Id, "id");
        if (r.Namespace is null) throw Invalid("1 validation error detected: Value null at 'namespace' failed to satisfy constraint: Member must not be null");
        if (type == NamespaceType.Http) Required(r.Namespace.Description, "namespace.description");
        var opId = await _registry.UpdateNamespaceAsync(new UpdateNamespaceCommand(
            id, type, r.Namespace.Description, r.Namespace.Properties?.DnsProperties?.SOA?.TTL), ct);
        WriteOperationId(w, opId);
    }

    private ValueTask GetNamespace(AwsCall call, Utf8JsonWriter w)
    {
        var id = Required(Parse(call, CloudMapJsonContext.Default.IdRequest).Id, "id");
        if (!_snapshots.Current.Namespaces.TryGetValue(id, out var ns)) throw NotFound(ErrorCodes.NamespaceNotFound, $"Namespace {id} not found.");
        w.WriteStartObject();
        w.WritePropertyName("Namespace");
        CloudMapWriter.Namespace(w, ns, _registry.Options.Account, summary: false);
        w.WriteEndObject();
        return ValueTask.CompletedTask;
    }

    private ValueTask ListNamespaces(AwsCall call, Utf8JsonWriter w)
    {
        var r = Parse(call, CloudMapJsonContext.Default.ListRequest);
        var match = Filters.Namespaces(r.Filters);
        var all = _snapshots.Current.Namespaces.Values.Where(match).OrderBy(n => n.Id, StringComparer.Ordinal);
        var (page, next) = Paging.Page(all, n => n.Id, r.NextToken, r.MaxResults);
        w.WriteStartObject();
        w.WriteStartArray("Namespaces");
        foreach (var ns in page) CloudMapWriter.Namespace(w, ns, _registry.Options.Account, summary: true);
        w.WriteEndArray();
        if (next is not null) w.WriteString("NextToken", next);
        w.WriteEndObject();
        return ValueTask.CompletedTask;
    }

    private async ValueTask DeleteNamespace(AwsCall call, Utf8JsonWriter w, CancellationToken ct)
    {
        var id = Required(Parse(call, CloudMapJsonContext.Default.IdRequest).Id, "id");
        WriteOperationId(w, await _registry.DeleteNamespaceAsync(id, ct));
    }

    private static void WriteOperationId(Utf8JsonWriter w, string operationId)
    {
        w.WriteStartObject();
        w.WriteString("OperationId", operationId);
        w.WriteEndObject();
    }

    private static List<KeyValuePair<string, string>>? Tags(List<TagDto>? tags)
    {
        if (tags is null) return null;
        var list = new List<KeyValuePair<string, string>>(tags.Count);
        foreach (var t in tags)
        {
            list.Add(new(Required(t.Key, "tags.member.key"), t.Value ?? throw Invalid("1 validation error detected: Value null at 'tags.member.value' failed to satisfy constraint: Member must not be null")));
        }
        return list;
    }
}
