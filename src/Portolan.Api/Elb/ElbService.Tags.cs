using Portolan.Core.LoadBalancing;

namespace Portolan.Api.Elb;

internal sealed partial class ElbService
{
    private async ValueTask AddTags(QueryInput i, CancellationToken ct) =>
        await _registry.AddTagsAsync(ResourceArns(i), i.Tags("Tags"), ct);

    private async ValueTask RemoveTags(QueryInput i, CancellationToken ct) =>
        await _registry.RemoveTagsAsync(ResourceArns(i), i.List("TagKeys"), ct);

    private ValueTask DescribeTags(QueryInput i, QueryXml x)
    {
        var s = Current;
        var arns = ResourceArns(i);
        if (arns.Count > LoadBalancingRegistry.MaxTagResources) throw Errors.Validation($"At most {LoadBalancingRegistry.MaxTagResources} resource ARNs can be specified");
        foreach (var arn in arns) LoadBalancingRegistry.RequireTaggable(s, arn);
        x.List("TagDescriptions", arns.Distinct(StringComparer.Ordinal), (x, arn) =>
        {
            x.Text("ResourceArn", arn);
            ElbWriter.Tags(x, s.TagsOf(arn));
        });
        return ValueTask.CompletedTask;
    }

    private static List<string> ResourceArns(QueryInput i) =>
        i.List("ResourceArns") is { Count: > 0 } arns ? arns : throw i.Missing("ResourceArns");
}
