using System.Text.Json;
using Portolan.Api.Edge;
using Portolan.Core.Ecs;
using Portolan.Core.Ecs.Registry;

namespace Portolan.Api.Ecs;

internal sealed partial class EcsService
{
    private async ValueTask CreateCluster(AwsCall call, Utf8JsonWriter w, CancellationToken ct)
    {
        var r = Parse(call, EcsJsonContext.Default.CreateClusterRequest);
        var cluster = await _registry.CreateClusterAsync(new CreateClusterCommand(EcsInput.Str(r.ClusterName), EcsInput.NameValues(r.Settings), EcsInput.Tags(r.Tags)), ct);
        w.WriteStartObject();
        w.WritePropertyName("cluster");
        EcsWriter.Cluster(w, Snapshot, cluster, withTags: true);
        w.WriteEndObject();
    }

    private ValueTask DescribeClusters(AwsCall call, Utf8JsonWriter w)
    {
        var r = Parse(call, EcsJsonContext.Default.DescribeClustersRequest);
        var names = r.Clusters is { Count: > 0 } ? r.Clusters : ["default"];
        if (names.Count > 100) throw Invalid("clusters can list at most 100 clusters.");
        var s = Snapshot;
        var failures = new List<(string, string)>();
        w.WriteStartObject();
        w.WriteStartArray("clusters");
        foreach (var name in names)
        {
            var clusterName = EcsArns.ClusterName(name);
            if (clusterName is not null && s.Ecs.Cluster(clusterName) is { } c) EcsWriter.Cluster(w, s, c.Record, Includes(r.Include, "TAGS"));
            else failures.Add((name.StartsWith("arn:", StringComparison.Ordinal) ? name : _registry.Arns.Cluster(name), "MISSING"));
        }
        w.WriteEndArray();
        EcsWriter.Failures(w, failures);
        w.WriteEndObject();
        return ValueTask.CompletedTask;
    }

    private ValueTask ListClusters(AwsCall call, Utf8JsonWriter w)
    {
        var r = Parse(call, EcsJsonContext.Default.ListRequest);
        var active = Snapshot.Ecs.Clusters.Values.Where(c => c.Record.IsActive).Select(c => c.Record.Arn).Order(StringComparer.Ordinal);
        var (page, next) = EcsPaging.Page(active, a => a, r.NextToken, r.MaxResults);
        w.WriteStartObject();
        EcsWriter.Strings(w, "clusterArns", page);
        if (next is not null) w.WriteString("nextToken", next);
        w.WriteEndObject();
        return ValueTask.CompletedTask;
    }

    private async ValueTask DeleteCluster(AwsCall call, Utf8JsonWriter w, CancellationToken ct)
    {
        var r = Parse(call, EcsJsonContext.Default.ClusterRequest);
        var cluster = await _registry.DeleteClusterAsync(Required(r.Cluster, "cluster"), ct);
        w.WriteStartObject();
        w.WritePropertyName("cluster");
        EcsWriter.Cluster(w, Snapshot, cluster, withTags: false);
        w.WriteEndObject();
    }
}
