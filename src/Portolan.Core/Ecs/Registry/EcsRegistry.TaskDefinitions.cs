using Portolan.Core.Ecs.Model;
using Portolan.Core.Ecs.Validation;
using Portolan.Core.Registry;
using Portolan.Storage;

namespace Portolan.Core.Ecs.Registry;

public sealed partial class EcsRegistry
{
    /// <summary>Registers the next revision of a family (revision 1 for a new family).</summary>
    public Task<TaskDefinitionRecord> RegisterTaskDefinitionAsync(RegisterTaskDefinitionCommand cmd, CancellationToken ct = default)
    {
        var family = EcsNames.Family(cmd.Family);
        var networkMode = cmd.NetworkMode ?? NetworkModes.Bridge;
        var containers = TaskDefinitionRules.Validate(networkMode, cmd.ContainerDefinitions, cmd.RequiresCompatibilities);
        EcsTags.Validate(cmd.Tags);
        return CommitAsync(s =>
        {
            var revisions = s.Ecs.Families.GetValueOrDefault(family);
            var revision = revisions is null || revisions.IsEmpty ? 1 : revisions.Keys.Max() + 1;
            var record = new TaskDefinitionRecord
            {
                Family = family, Revision = revision, Arn = Arns.TaskDefinition(family, revision),
                ContainerDefinitions = containers, NetworkMode = networkMode, Status = EcsStatus.Active, RegisteredAt = Now(),
                TaskRoleArn = cmd.TaskRoleArn, ExecutionRoleArn = cmd.ExecutionRoleArn, Cpu = cmd.Cpu, Memory = cmd.Memory,
                RequiresCompatibilities = cmd.RequiresCompatibilities, Extra = cmd.Extra,
            };
            var key = EcsStoreKeys.TaskDefinition(family, revision);
            var ops = new List<TxnOp> { Put(key, record) };
            if (cmd.Tags is { Count: > 0 }) ops.Add(TagsWrite(record.Arn, cmd.Tags));
            return new Plan<TaskDefinitionRecord>(new Txn([Compare.Absent(key)], ops), record);
        }, ct);
    }

    /// <summary>Marks one revision INACTIVE: running tasks and services keep it, new ones can't use it.</summary>
    public Task<TaskDefinitionRecord> DeregisterTaskDefinitionAsync(string? reference, CancellationToken ct = default)
    {
        if (string.IsNullOrEmpty(reference) || EcsArns.TaskDefinitionRef(reference) is not { Revision: not null } parsed)
            throw EcsErrors.ClientError($"Invalid task definition '{reference}': name a revision as family:revision or by its ARN.");
        return CommitAsync(s =>
        {
            var td = s.Ecs.TaskDefinition(parsed.Family, parsed.Revision) ?? throw EcsErrors.ClientError("The specified task definition does not exist.");
            if (!td.Record.IsActive) return new Plan<TaskDefinitionRecord>(null, td.Record);
            var record = td.Record with { Status = EcsStatus.Inactive, DeregisteredAt = Now() };
            var key = EcsStoreKeys.TaskDefinition(record.Family, record.Revision);
            return new Plan<TaskDefinitionRecord>(new Txn([Compare.ModRevisionIs(key, td.ModRevision)], [Put(key, record)]), record);
        }, ct);
    }
}
