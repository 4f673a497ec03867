using Portolan.Core.Registry;
using Portolan.Storage;
using static Portolan.Core.LoadBalancing.LoadBalancingKeys;

namespace Portolan.Core.LoadBalancing;

public sealed partial class LoadBalancingRegistry
{
    public const int MaxTagResources = 20;

    /// <summary>Adds or overwrites tags on up to 20 resources (load balancers, target groups, listeners, rules) at once.</summary>
    public Task AddTagsAsync(IReadOnlyList<string> arns, IReadOnlyList<KeyValuePair<string, string?>> tags, CancellationToken ct = default)
    {
        CheckResourceCount(arns);
        if (tags.Count == 0) throw ElbErrors.Validation("At least one tag must be specified");
        Validation.Tags.Validate(tags);
        return ChangeTagsAsync(arns, current =>
        {
            var next = current.SetItems(tags.Select(t => KeyValuePair.Create(t.Key, t.Value ?? "")));
            if (next.Count > Validation.Tags.MaxPerResource) throw Validation.Tags.TooMany();
            return next;
        }, ct);
    }

    public Task RemoveTagsAsync(IReadOnlyList<string> arns, IReadOnlyList<string> keys, CancellationToken ct = default)
    {
        CheckResourceCount(arns);
        if (keys.Count == 0) throw ElbErrors.Validation("At least one tag key must be specified");
        return ChangeTagsAsync(arns, current => current.RemoveRange(keys), ct);
    }

    /// <summary>Checks that every ARN names an existing resource, throwing the not-found error of its kind.</summary>
    public static void RequireTaggable(LoadBalancingSnapshot s, string? arn)
    {
        switch (ElbArns.KindOf(arn))
        {
            case ElbResourceKind.LoadBalancer: RequireLoadBalancer(s, arn); break;
            case ElbResourceKind.TargetGroup: RequireTargetGroup(s, arn); break;
            case ElbResourceKind.Listener: RequireListener(s, arn); break;
            case ElbResourceKind.Rule:
                if (s.FindListenerByDefaultRule(arn) is null) RequireRule(s, arn);
                break;
            default: throw ElbErrors.Validation($"'{arn}' is not a valid load balancer, target group, listener or rule ARN");
        }
    }

    private Task ChangeTagsAsync(IReadOnlyList<string> arns,
        Func<System.Collections.Immutable.ImmutableSortedDictionary<string, string>, System.Collections.Immutable.ImmutableSortedDictionary<string, string>> change,
        CancellationToken ct) =>
        ConfigureAsync(s =>
        {
            var ops = new List<TxnOp>();
            foreach (var arn in arns.Distinct(StringComparer.Ordinal))
            {
                RequireTaggable(s, arn);
                var next = change(s.TagsOf(arn));
                ops.Add(next.IsEmpty ? TxnOp.Delete(Tags(arn)) : TxnOp.Put(Tags(arn), LoadBalancingJson.Serialize(next)));
            }
            return new ConfigPlan<bool>(ops, true);
        }, ct);

    private static void CheckResourceCount(IReadOnlyList<string> arns)
    {
        if (arns.Count == 0) throw ElbErrors.Validation("At least one resource ARN must be specified");
        if (arns.Count > MaxTagResources) throw ElbErrors.Validation($"At most {MaxTagResources} resource ARNs can be specified");
    }
}
