using System.Collections.Immutable;
using Portolan.Core.Ecs.Validation;
using Portolan.Core.Registry;
using Portolan.Core.Snapshots;
using Portolan.Storage;

namespace Portolan.Core.Ecs.Registry;

public sealed partial class EcsRegistry
{
    /// <summary>Tags of a cluster, service, task or task definition ARN.</summary>
    public ImmutableSortedDictionary<string, string> ListTags(string? arn)
    {
        var s = _snapshots.Current;
        RequireTaggable(s, arn);
        return s.Tags.GetValueOrDefault(arn!) ?? ImmutableSortedDictionary<string, string>.Empty;
    }

    public Task TagResourceAsync(string? arn, IReadOnlyList<KeyValuePair<string, string>>? tags, CancellationToken ct = default)
    {
        if (tags is null) throw EcsErrors.Invalid("tags is required.");
        EcsTags.Validate(tags);
        return ChangeTags(arn, current =>
        {
            var next = current.SetItems(tags);
            return next.Count > EcsTags.MaxPerResource ? throw EcsErrors.Invalid($"A resource can have at most {EcsTags.MaxPerResource} tags.") : next;
        }, ct);
    }

    public Task UntagResourceAsync(string? arn, IReadOnlyList<string>? keys, CancellationToken ct = default)
    {
        if (keys is null) throw EcsErrors.Invalid("tagKeys is required.");
        return ChangeTags(arn, current => current.RemoveRange(keys), ct);
    }

    private Task ChangeTags(string? arn, Func<ImmutableSortedDictionary<string, string>, ImmutableSortedDictionary<string, string>> change, CancellationToken ct) =>
        CommitAsync(s =>
        {
            var (key, createRevision) = RequireTaggable(s, arn);
            var current = s.Tags.GetValueOrDefault(arn!) ?? ImmutableSortedDictionary.Create<string, string>(StringComparer.Ordinal);
            var next = change(current);
            return new Plan<bool>(new Txn([Compare.CreateRevisionIs(key, createRevision)], [TagsWrite(arn!, next)]), true);
        }, ct);

    /// <summary>The store key (and its create revision) of the resource an ECS ARN names.</summary>
    private static (string Key, long CreateRevision) RequireTaggable(RegistrySnapshot s, string? arn)
    {
        if (string.IsNullOrEmpty(arn) || !arn.StartsWith("arn:aws:ecs:", StringComparison.Ordinal))
            throw EcsErrors.Invalid($"Invalid resourceArn '{arn}': name an ECS cluster, service, task or task definition by its ARN.");
        var e = s.Ecs;
        if (EcsArns.ClusterName(arn) is { } cluster)
        {
            return e.Cluster(cluster) is { Record.IsActive: true } c && c.Record.Arn == arn
                ? (EcsStoreKeys.Cluster(cluster), c.CreateRevision)
                : throw EcsErrors.NoCluster();
        }
        if (EcsArns.ServiceName(arn) is ({ } svcCluster, { } name) && e.Service(svcCluster, name) is { } svc && svc.Record.Arn == arn && svc.Record.Status != Model.EcsStatus.Inactive)
            return (EcsStoreKeys.Service(svcCluster, name), svc.CreateRevision);
        if (EcsArns.TaskId(arn) is (not null, { } taskId) && e.Task(taskId) is { } task && task.Record.Arn == arn)
            return (EcsStoreKeys.Task(taskId), task.CreateRevision);
        if (arn.Contains(":task-definition/", StringComparison.Ordinal) && e.TaskDefinitionByArn(arn) is { } td)
            return (EcsStoreKeys.TaskDefinition(td.Record.Family, td.Record.Revision), td.CreateRevision);
        throw new RegistryException(EcsErrors.ResourceNotFound, "The specified resource could not be found.");
    }
}
