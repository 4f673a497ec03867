using System.Collections.Immutable;
using Portolan.Core.Discovery.Validation;
using Portolan.Core.Snapshots;
using Portolan.Storage;

namespace Portolan.Core.Registry;

public sealed partial class DiscoveryRegistry
{
    /// <summary>Tags of a namespace or service ARN.</summary>
    public ImmutableSortedDictionary<string, string> ListTags(string arn)
    {
        var s = _snapshots.Current;
        RequireTaggable(s, arn);
        return s.Tags.GetValueOrDefault(arn) ?? ImmutableSortedDictionary<string, string>.Empty;
    }

    public Task TagResourceAsync(string arn, IReadOnlyList<KeyValuePair<string, string>>? tags, CancellationToken ct = default)
    {
        if (tags is null) throw RegistryException.InvalidInput("Tags are required.");
        Tags.Validate(tags);
        return ChangeTags(arn, current =>
        {
            var next = current.SetItems(tags);
            if (next.Count > Tags.MaxPerResource) throw new RegistryException(ErrorCodes.TooManyTags, $"A resource can have at most {Tags.MaxPerResource} tags.",
                new Dictionary<string, string> { ["ResourceName"] = arn });
            return next;
        }, ct);
    }

    public Task UntagResourceAsync(string arn, IReadOnlyList<string>? keys, CancellationToken ct = default)
    {
        if (keys is null) throw RegistryException.InvalidInput("TagKeys are required.");
        return ChangeTags(arn, current => current.RemoveRange(keys), ct);
    }

    private Task ChangeTags(string arn, Func<ImmutableSortedDictionary<string, string>, ImmutableSortedDictionary<string, string>> change, CancellationToken ct) =>
        CommitAsync(s =>
        {
            var owner = RequireTaggable(s, arn);
            var current = s.Tags.GetValueOrDefault(arn) ?? ImmutableSortedDictionary.Create<string, string>(StringComparer.Ordinal);
            var next = change(current);
            var key = StoreKeys.TagsOf(arn);
            // Guard on the owner still existing; tag writes to one resource serialise through the owner's key revision.
            return new Plan<bool>(new Txn([Compare.CreateRevisionIs(owner.Key, owner.CreateRevision)],
                [next.IsEmpty ? TxnOp.Delete(key) : TxnOp.Put(key, RecordJson.Serialize(next))]), true);
        }, ct);

    private static (string Key, long CreateRevision) RequireTaggable(RegistrySnapshot s, string arn)
    {
        var slash = arn.LastIndexOf('/');
        if (arn.StartsWith("arn:", StringComparison.Ordinal) && slash > 0)
        {
            var id = arn[(slash + 1)..];
            if (arn.Contains(":namespace/", StringComparison.Ordinal) && s.Namespaces.TryGetValue(id, out var ns) && ns.Record.Arn == arn)
                return (StoreKeys.Namespace(id), ns.CreateRevision);
            if (arn.Contains(":service/", StringComparison.Ordinal) && s.Services.TryGetValue(id, out var svc) && svc.Record.Arn == arn)
                return (StoreKeys.Service(id), svc.CreateRevision);
        }
        throw new RegistryException(ErrorCodes.ResourceNotFound, $"Resource {arn} not found.");
    }
}
