using System.Collections.Immutable;
using Portolan.Core.Ecs.Model;
using Portolan.Core.Ecs.Snapshots;
using Portolan.Core.Ecs.Validation;
using Portolan.Core.Registry;
using Portolan.Core.Snapshots;
using Portolan.Storage;

namespace Portolan.Core.Ecs.Registry;

/// <summary>What RunTask/StartTask started, and the container instances it could not start on.</summary>
public sealed record RunTaskResult(IReadOnlyList<TaskRecord> Tasks, IReadOnlyList<(string Arn, string Reason)> Failures);

public sealed partial class EcsRegistry
{
    /// <summary>
    /// Creates standalone tasks (PROVISIONING, desired RUNNING) spread over the live container instances (see
    /// <see cref="Place"/>); each instance's agent then starts its processes. With
    /// <see cref="RunTaskCommand.ContainerInstances"/> (StartTask) one task is started per instance named, and
    /// instances that are not live are reported as failures (MISSING).
    /// </summary>
    public Task<RunTaskResult> RunTaskAsync(RunTaskCommand cmd, CancellationToken ct = default)
    {
        if (cmd.ContainerInstances is null && cmd.Count is < 1 or > 10) throw EcsErrors.Invalid("count must be between 1 and 10.");
        if (cmd.ContainerInstances is { Count: < 1 or > 10 }) throw EcsErrors.Invalid("containerInstances must list between 1 and 10 container instances.");
        if (cmd.StartedBy is { Length: > 128 }) throw EcsErrors.Invalid("startedBy can be at most 128 characters.");
        if (cmd.Group is { Length: > 255 }) throw EcsErrors.Invalid("group can be at most 255 characters.");
        var launchType = LaunchType(cmd.LaunchType);
        PropagateTags(cmd.PropagateTags);
        EcsTags.Validate(cmd.Tags);

        return CommitAsync(s =>
        {
            var cluster = RequireCluster(s.Ecs, cmd.Cluster);
            var name = cluster.Record.Name;
            var td = RequireActiveTaskDefinition(s.Ecs, cmd.TaskDefinition);
            CheckPlacement(td.Record, launchType, cmd.HasNetworkConfiguration);
            foreach (var o in cmd.ContainerOverrides)
            {
                if (td.Record.Container(o.Name) is null)
                    throw EcsErrors.Invalid($"Override for container named {o.Name} is not a container in the TaskDefinition.");
            }

            var failures = new List<(string, string)>();
            string[] nodes;
            if (cmd.ContainerInstances is { } instances)
            {
                var named = new List<string>(instances.Count);
                foreach (var instance in instances)
                {
                    if (LiveInstance(name, instance) is { } id) named.Add(id);
                    else failures.Add((instance.StartsWith("arn:", StringComparison.Ordinal) ? instance : Arns.ContainerInstance(name, instance), "MISSING"));
                }
                nodes = named.ToArray();
            }
            else
            {
                nodes = Place(s.Ecs, name, cmd.Group ?? "family:" + td.Record.Family, cmd.Count);
                if (nodes.Length == 0) throw EcsErrors.Invalid("No Container Instances were found in your cluster.");
            }
            var count = nodes.Length;

            var now = Now();
            var ops = new List<TxnOp> { TouchMembers(name) };
            var tasks = new List<TaskRecord>(count);
            var tags = TaskTags(s, cmd.Tags, cmd.PropagateTags == "TASK_DEFINITION" ? td.Record.Arn : null, cmd.EnableEcsManagedTags ? name : null, null);
            for (var i = 0; i < count; i++)
            {
                var task = NewTask(nodes[i], name, td.Record, cmd.Group ?? "family:" + td.Record.Family, cmd.StartedBy, null, null, cmd.ContainerOverrides, launchType, now);
                tasks.Add(task);
                ops.Add(Put(EcsStoreKeys.Task(task.Id), task));
                if (tags.Count > 0) ops.Add(TagsWrite(task.Arn, tags));
            }
            if (tasks.Count == 0) return new Plan<RunTaskResult>(null, new RunTaskResult(tasks, failures));
            return new Plan<RunTaskResult>(new Txn([Compare.ModRevisionIs(EcsStoreKeys.Cluster(name), cluster.ModRevision)], ops), new RunTaskResult(tasks, failures));
        }, ct);
    }

    /// <summary>Asks a task to stop (desired STOPPED, stopCode UserInitiated); the agent drains and stops it. Stopping a stopped task returns it.</summary>
    public Task<TaskRecord> StopTaskAsync(string? clusterNameOrArn, string? task, string? reason, CancellationToken ct = default)
    {
        if (reason is { Length: > 1024 }) throw EcsErrors.Invalid("reason can be at most 1024 characters.");
        return CommitAsync(s =>
        {
            var cluster = RequireCluster(s.Ecs, clusterNameOrArn);
            var stored = FindTask(s.Ecs, cluster.Record.Name, task) ?? throw EcsErrors.Invalid("The referenced task was not found.");
            var t = stored.Record;
            if (t.IsStopped || !t.WantsRunning) return new Plan<TaskRecord>(null, t);
            var record = RequestStop(t, string.IsNullOrEmpty(reason) ? "Task stopped by user" : reason, StopCodes.UserInitiated);
            return new Plan<TaskRecord>(new Txn([Compare.ModRevisionIs(EcsStoreKeys.Task(t.Id), stored.ModRevision)], [Put(EcsStoreKeys.Task(t.Id), record)]), record);
        }, ct);
    }

    /// <summary>
    /// Applies a change to a task's current record (the agent's entry point): <paramref name="change"/> returns the new
    /// record or null for no change. Bumps the version. Returns the stored result, or null when the task is gone.
    /// </summary>
    public Task<TaskRecord?> UpdateTaskAsync(string taskId, Func<TaskRecord, TaskRecord?> change, CancellationToken ct = default) =>
        CommitAsync(s =>
        {
            var stored = s.Ecs.Task(taskId);
            if (stored is null) return new Plan<TaskRecord?>(null, null);
            var next = change(stored.Record);
            if (next is null || next == stored.Record) return new Plan<TaskRecord?>(null, stored.Record);
            next = next with { Version = stored.Record.Version + 1 };
            var key = EcsStoreKeys.Task(taskId);
            return new Plan<TaskRecord?>(new Txn([Compare.ModRevisionIs(key, stored.ModRevision)], [Put(key, next)]), next);
        }, ct);

    /// <summary>
    /// Starts <paramref name="count"/> tasks of a service's deployment, spread over the live container instances (the
    /// scheduler's entry point; see <see cref="Place"/>). Nothing is started when the service is no longer ACTIVE, the
    /// deployment is gone or no instance is live.
    /// </summary>
    public Task<IReadOnlyList<TaskRecord>> LaunchServiceTasksAsync(string cluster, string service, string deploymentId, int count, CancellationToken ct = default) =>
        CommitAsync(s =>
        {
            var stored = s.Ecs.Service(cluster, service);
            var deployment = stored?.Record.Deployments.FirstOrDefault(d => d.Id == deploymentId);
            if (stored is not { Record.IsActive: true } || deployment is null || count < 1) return new Plan<IReadOnlyList<TaskRecord>>(null, []);
            var svc = stored.Record;
            var td = s.Ecs.TaskDefinitionByArn(deployment.TaskDefinitionArn);
            if (td is null) return new Plan<IReadOnlyList<TaskRecord>>(null, []);
            var nodes = Place(s.Ecs, cluster, "service:" + service, count);
            if (nodes.Length == 0) return new Plan<IReadOnlyList<TaskRecord>>(null, []);
            var now = Now();
            var tags = TaskTags(s, null, svc.PropagateTags switch { "TASK_DEFINITION" => td.Record.Arn, "SERVICE" => svc.Arn, _ => null },
                svc.EnableEcsManagedTags ? cluster : null, svc.EnableEcsManagedTags ? service : null);
            var ops = new List<TxnOp> { TouchMembers(cluster) };
            var tasks = new List<TaskRecord>(count);
            for (var i = 0; i < count; i++)
            {
                var task = NewTask(nodes[i], cluster, td.Record, "service:" + service, deploymentId, service, deploymentId, [], deployment.LaunchType, now);
                tasks.Add(task);
                ops.Add(Put(EcsStoreKeys.Task(task.Id), task));
                if (tags.Count > 0) ops.Add(TagsWrite(task.Arn, tags));
            }
            return new Plan<IReadOnlyList<TaskRecord>>(new Txn([Compare.ModRevisionIs(EcsStoreKeys.Service(cluster, service), stored.ModRevision)], ops), tasks);
        }, ct);

    /// <summary>Asks tasks to stop on the scheduler's behalf (stopCode ServiceSchedulerInitiated); tasks already stopping are left alone.</summary>
    public Task<IReadOnlyList<TaskRecord>> StopTasksAsync(IReadOnlyList<(string TaskId, string Reason)> stops, CancellationToken ct = default) =>
        CommitAsync(s =>
        {
            var compares = new List<Compare>();
            var ops = new List<TxnOp>();
            var stopped = new List<TaskRecord>();
            foreach (var (taskId, reason) in stops)
            {
                if (s.Ecs.Task(taskId) is not { } stored || !stored.Record.WantsRunning || stored.Record.IsStopped) continue;
                var record = RequestStop(stored.Record, reason, StopCodes.ServiceSchedulerInitiated);
                compares.Add(Compare.ModRevisionIs(EcsStoreKeys.Task(taskId), stored.ModRevision));
                ops.Add(Put(EcsStoreKeys.Task(taskId), record));
                stopped.Add(record);
            }
            return new Plan<IReadOnlyList<TaskRecord>>(ops.Count == 0 ? null : new Txn(compares, ops), stopped);
        }, ct);

    public static Stored<TaskRecord>? FindTask(EcsState s, string cluster, string? idOrArn)
    {
        if (string.IsNullOrEmpty(idOrArn)) return null;
        var (arnCluster, id) = EcsArns.TaskId(idOrArn);
        if (id is null || (arnCluster is not null && arnCluster != cluster)) return null;
        var task = s.Task(id);
        return task?.Record.Cluster == cluster ? task : null;
    }

    private static TaskRecord RequestStop(TaskRecord t, string reason, string stopCode) => t with
    {
        DesiredStatus = EcsTaskStatus.Stopped, StopRequested = true, StoppedReason = reason, StopCode = stopCode, Version = t.Version + 1,
    };

    private TaskRecord NewTask(string nodeId, string cluster, TaskDefinitionRecord td, string group, string? startedBy, string? service, string? deployment,
        IReadOnlyList<ContainerOverrideSpec> overrides, string launchType, DateTimeOffset now)
    {
        var id = EcsIds.NewTaskId();
        return new TaskRecord
        {
            Id = id, Arn = Arns.Task(cluster, id), Cluster = cluster, TaskDefinitionArn = td.Arn, NodeId = nodeId,
            ContainerInstanceArn = Arns.ContainerInstance(cluster, nodeId), Group = group, StartedBy = startedBy,
            ServiceName = service, DeploymentId = deployment, LaunchType = launchType, Cpu = td.Cpu, Memory = td.Memory,
            DesiredStatus = EcsTaskStatus.Running, LastStatus = EcsTaskStatus.Provisioning, CreatedAt = now, ContainerOverrides = overrides,
            Containers = td.ContainerDefinitions.Select(c => new ContainerRecord
            {
                Name = c.Name, Arn = Arns.Container(cluster, id, EcsIds.NewUuid()), Image = c.Image, LastStatus = EcsTaskStatus.Pending,
            }).ToList(),
        };
    }

    /// <summary>A task's tags: the caller's, those propagated from the task definition or service, and ECS managed tags.</summary>
    private static List<KeyValuePair<string, string>> TaskTags(RegistrySnapshot s, IReadOnlyList<KeyValuePair<string, string>>? given, string? propagateFrom,
        string? managedCluster, string? managedService)
    {
        var tags = new List<KeyValuePair<string, string>>();
        if (propagateFrom is not null && s.Tags.TryGetValue(propagateFrom, out var inherited)) tags.AddRange(inherited);
        if (given is not null) tags.AddRange(given);
        if (managedCluster is not null) tags.Add(new("aws:ecs:clusterName", managedCluster));
        if (managedService is not null) tags.Add(new("aws:ecs:serviceName", managedService));
        return tags;
    }
}
