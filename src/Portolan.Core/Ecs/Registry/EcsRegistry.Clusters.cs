using Portolan.Core.Ecs.Model;
using Portolan.Core.Ecs.Validation;
using Portolan.Core.Registry;
using Portolan.Storage;

namespace Portolan.Core.Ecs.Registry;

public sealed partial class EcsRegistry
{
    /// <summary>Creates a cluster (name defaults to <c>default</c>). Creating an ACTIVE cluster again returns it unchanged, as ECS does.</summary>
    public Task<ClusterRecord> CreateClusterAsync(CreateClusterCommand cmd, CancellationToken ct = default)
    {
        var name = EcsNames.Cluster(string.IsNullOrEmpty(cmd.Name) ? "default" : cmd.Name);
        EcsTags.Validate(cmd.Tags);
        var settings = Settings(cmd.Settings);
        return CommitAsync(s =>
        {
            var existing = s.Ecs.Cluster(name);
            if (existing is { Record.IsActive: true }) return new Plan<ClusterRecord>(null, existing.Record);
            var record = new ClusterRecord { Name = name, Arn = Arns.Cluster(name), Status = EcsStatus.Active, CreatedAt = Now(), Settings = settings };
            var ops = new List<TxnOp> { Put(EcsStoreKeys.Cluster(name), record) };
            if (cmd.Tags is { Count: > 0 }) ops.Add(TagsWrite(record.Arn, cmd.Tags));
            return new Plan<ClusterRecord>(new Txn([Compare.ModRevisionIs(EcsStoreKeys.Cluster(name), existing?.ModRevision ?? 0)], ops), record);
        }, ct);
    }

    /// <summary>Marks a cluster INACTIVE. It must have no ACTIVE or DRAINING services and no tasks that are not STOPPED.</summary>
    public Task<ClusterRecord> DeleteClusterAsync(string? nameOrArn, CancellationToken ct = default) =>
        CommitAsync(s =>
        {
            var cluster = RequireCluster(s.Ecs, nameOrArn);
            var name = cluster.Record.Name;
            if (s.Ecs.Services.Values.Any(v => v.Record.Cluster == name && v.Record.Status != EcsStatus.Inactive))
                throw new RegistryException(EcsErrors.ClusterContainsServices, "The Cluster cannot be deleted while Services are active.");
            if (s.Ecs.TasksOf(name).Any(t => !t.Record.IsStopped))
                throw new RegistryException(EcsErrors.ClusterContainsTasks, "The Cluster cannot be deleted while Tasks are active.");
            var record = cluster.Record with { Status = EcsStatus.Inactive };
            return new Plan<ClusterRecord>(new Txn(
                [Compare.ModRevisionIs(EcsStoreKeys.Cluster(name), cluster.ModRevision),
                 Compare.ModRevisionIs(EcsStoreKeys.Members(name), s.Ecs.MemberRevisions.GetValueOrDefault(name))],
                [Put(EcsStoreKeys.Cluster(name), record)]), record);
        }, ct);

    private static List<NameValue> Settings(IReadOnlyList<NameValue>? given)
    {
        var settings = new List<NameValue> { new("containerInsights", "disabled") };
        foreach (var setting in given ?? [])
        {
            if (setting.Name != "containerInsights")
                throw EcsErrors.Invalid($"Invalid cluster setting '{setting.Name}'. The only setting is containerInsights.");
            if (setting.Value is not ("enabled" or "disabled" or "enhanced"))
                throw EcsErrors.Invalid($"Invalid containerInsights value '{setting.Value}'. Use enabled, disabled or enhanced.");
            settings[0] = setting;
        }
        return settings;
    }
}
