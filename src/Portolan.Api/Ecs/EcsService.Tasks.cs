using System.Text.Json;
using Portolan.Api.Edge;
using Portolan.Core.Ecs;
using Portolan.Core.Ecs.Model;
using Portolan.Core.Ecs.Registry;

namespace Portolan.Api.Ecs;

internal sealed partial class EcsService
{
    private ValueTask RunTask(AwsCall call, Utf8JsonWriter w, CancellationToken ct) => StartTasks(call, w, containerInstancesRequired: false, ct);

    private ValueTask StartTask(AwsCall call, Utf8JsonWriter w, CancellationToken ct) => StartTasks(call, w, containerInstancesRequired: true, ct);

    private async ValueTask StartTasks(AwsCall call, Utf8JsonWriter w, bool containerInstancesRequired, CancellationToken ct)
    {
        var r = Parse(call, EcsJsonContext.Default.RunTaskRequest);
        if (EcsInput.HasCapacityProviders(r.CapacityProviderStrategy)) throw NoCapacityProviders();
        var instances = EcsInput.Strings(r.ContainerInstances);
        if (containerInstancesRequired && instances is null) throw Invalid("containerInstances is required.");
        var result = await _registry.RunTaskAsync(new RunTaskCommand
        {
            Cluster = EcsInput.Str(r.Cluster), TaskDefinition = Required(r.TaskDefinition, "taskDefinition"), Count = r.Count ?? 1,
            Group = EcsInput.Str(r.Group), StartedBy = EcsInput.Str(r.StartedBy), LaunchType = containerInstancesRequired ? null : EcsInput.Str(r.LaunchType),
            HasNetworkConfiguration = EcsInput.HasNetworkConfiguration(r.NetworkConfiguration), ContainerOverrides = EcsInput.Overrides(r.Overrides),
            ContainerInstances = containerInstancesRequired ? instances : null,
            EnableEcsManagedTags = r.EnableECSManagedTags ?? false, PropagateTags = EcsInput.Str(r.PropagateTags), Tags = EcsInput.Tags(r.Tags),
        }, ct);
        var s = Snapshot;
        w.WriteStartObject();
        w.WriteStartArray("tasks");
        foreach (var t in result.Tasks) _writer.Task(w, s, t, withTags: true);
        w.WriteEndArray();
        EcsWriter.Failures(w, result.Failures);
        w.WriteEndObject();
    }

    private async ValueTask StopTask(AwsCall call, Utf8JsonWriter w, CancellationToken ct)
    {
        var r = Parse(call, EcsJsonContext.Default.StopTaskRequest);
        var task = await _registry.StopTaskAsync(EcsInput.Str(r.Cluster), Required(r.Task, "task"), EcsInput.Str(r.Reason), ct);
        w.WriteStartObject();
        w.WritePropertyName("task");
        _writer.Task(w, Snapshot, task, withTags: false);
        w.WriteEndObject();
    }

    private ValueTask ListTasks(AwsCall call, Utf8JsonWriter w)
    {
        var r = Parse(call, EcsJsonContext.Default.ListRequest);
        var s = Snapshot;
        var cluster = EcsRegistry.RequireCluster(s.Ecs, r.Cluster).Record.Name;
        if (r.ServiceName is not null && EcsRegistry.FindService(s.Ecs, cluster, r.ServiceName) is null)
            throw new AwsServiceException(EcsErrors.ServiceNotFound, "Service not found.");
        var serviceName = r.ServiceName is null ? null : EcsArns.ServiceName(r.ServiceName).Name;
        var desired = r.DesiredStatus ?? EcsTaskStatus.Running;
        if (desired is not (EcsTaskStatus.Running or EcsTaskStatus.Pending or EcsTaskStatus.Stopped))
            throw Invalid($"Invalid desiredStatus '{desired}'. Use RUNNING, PENDING or STOPPED.");
        var instance = r.ContainerInstance is null ? null : EcsArns.TaskId(r.ContainerInstance.Replace("container-instance/", "task/", StringComparison.Ordinal)).Id;
        var arns = s.Ecs.TasksOf(cluster).Select(t => t.Record)
            .Where(t => desired == EcsTaskStatus.Pending ? EcsWriter.IsPending(t) : t.DesiredStatus == desired)
            .Where(t => serviceName is null || t.ServiceName == serviceName)
            .Where(t => r.Family is null || t.Group == "family:" + r.Family || t.TaskDefinitionArn.Contains($":task-definition/{r.Family}:", StringComparison.Ordinal))
            .Where(t => r.StartedBy is null || t.StartedBy == r.StartedBy)
            .Where(t => r.LaunchType is null || t.LaunchType == r.LaunchType)
            .Where(t => instance is null || t.NodeId == instance)
            .Select(t => t.Arn).Order(StringComparer.Ordinal);
        var (page, next) = EcsPaging.Page(arns, a => a, r.NextToken, r.MaxResults);
        w.WriteStartObject();
        EcsWriter.Strings(w, "taskArns", page);
        if (next is not null) w.WriteString("nextToken", next);
        w.WriteEndObject();
        return ValueTask.CompletedTask;
    }

    private ValueTask DescribeTasks(AwsCall call, Utf8JsonWriter w)
    {
        var r = Parse(call, EcsJsonContext.Default.DescribeTasksRequest);
        if (r.Tasks is not { Count: > 0 }) throw Invalid("tasks is required.");
        if (r.Tasks.Count > 100) throw Invalid("tasks can list at most 100 tasks.");
        var s = Snapshot;
        var cluster = EcsRegistry.RequireCluster(s.Ecs, r.Cluster).Record.Name;
        var failures = new List<(string, string)>();
        w.WriteStartObject();
        w.WriteStartArray("tasks");
        foreach (var id in r.Tasks)
        {
            if (EcsRegistry.FindTask(s.Ecs, cluster, id) is { } t) _writer.Task(w, s, t.Record, Includes(r.Include, "TAGS"));
            else failures.Add((id.StartsWith("arn:", StringComparison.Ordinal) ? id : _registry.Arns.Task(cluster, id), "MISSING"));
        }
        w.WriteEndArray();
        EcsWriter.Failures(w, failures);
        w.WriteEndObject();
        return ValueTask.CompletedTask;
    }
}
