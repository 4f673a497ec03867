using System.Text.Json;
using Portolan.Core.Ecs;
using Portolan.Core.Ecs.Model;
using Portolan.Core.Ecs.Snapshots;
using Portolan.Core.Snapshots;

namespace Portolan.Api.Ecs;

/// <summary>
/// Writes ECS response shapes as ECS fills them. Timestamps are epoch seconds as numbers (the JSON protocol's
/// encoding); counts of running and pending tasks are counted from the snapshot at the time of the reply.
/// </summary>
internal sealed class EcsWriter(EcsArns arns)
{
    public static void Timestamp(Utf8JsonWriter w, string name, DateTimeOffset at) => w.WriteNumber(name, at.ToUnixTimeMilliseconds() / 1000m);

    private static void OptTimestamp(Utf8JsonWriter w, string name, DateTimeOffset? at)
    {
        if (at is { } value) Timestamp(w, name, value);
    }

    private static void OptString(Utf8JsonWriter w, string name, string? value)
    {
        if (value is not null) w.WriteString(name, value);
    }

    public static void Strings(Utf8JsonWriter w, string name, IEnumerable<string> values)
    {
        w.WriteStartArray(name);
        foreach (var v in values) w.WriteStringValue(v);
        w.WriteEndArray();
    }

    public static void Tags(Utf8JsonWriter w, RegistrySnapshot s, string arn)
    {
        w.WriteStartArray("tags");
        if (s.Tags.TryGetValue(arn, out var tags))
        {
            foreach (var (k, v) in tags)
            {
                w.WriteStartObject();
                w.WriteString("key", k);
                w.WriteString("value", v);
                w.WriteEndObject();
            }
        }
        w.WriteEndArray();
    }

    public static void Failures(Utf8JsonWriter w, IEnumerable<(string Arn, string Reason)> failures)
    {
        w.WriteStartArray("failures");
        foreach (var (arn, reason) in failures)
        {
            w.WriteStartObject();
            w.WriteString("arn", arn);
            w.WriteString("reason", reason);
            w.WriteEndObject();
        }
        w.WriteEndArray();
    }

    private static void NameValues(Utf8JsonWriter w, string name, IEnumerable<NameValue> values)
    {
        w.WriteStartArray(name);
        foreach (var v in values)
        {
            w.WriteStartObject();
            w.WriteString("name", v.Name);
            w.WriteString("value", v.Value);
            w.WriteEndObject();
        }
        w.WriteEndArray();
    }

    private static void Extra(Utf8JsonWriter w, IReadOnlyDictionary<string, JsonElement>? extra, params string[] except)
    {
        if (extra is null) return;
        foreach (var (name, value) in extra)
        {
            if (except.Contains(name)) continue;
            w.WritePropertyName(name);
            value.WriteTo(w);
        }
    }

    public static void Cluster(Utf8JsonWriter w, RegistrySnapshot s, ClusterRecord c, bool withTags)
    {
        var e = s.Ecs;
        w.WriteStartObject();
        w.WriteString("clusterArn", c.Arn);
        w.WriteString("clusterName", c.Name);
        w.WriteString("status", c.Status);
        // Every Portolan node runs the tasks of every cluster: one container instance per node.
        w.WriteNumber("registeredContainerInstancesCount", c.IsActive ? 1 : 0);
        var tasks = e.TasksOf(c.Name).Select(t => t.Record).ToList();
        w.WriteNumber("runningTasksCount", tasks.Count(t => t.LastStatus == EcsTaskStatus.Running));
        w.WriteNumber("pendingTasksCount", tasks.Count(IsPending));
        w.WriteNumber("activeServicesCount", e.Services.Values.Count(v => v.Record.Cluster == c.Name && v.Record.IsActive));
        w.WriteStartArray("statistics");
        w.WriteEndArray();
        if (withTags) Tags(w, s, c.Arn);
        NameValues(w, "settings", c.Settings);
        w.WriteStartArray("capacityProviders");
        w.WriteEndArray();
        w.WriteStartArray("defaultCapacityProviderStrategy");
        w.WriteEndArray();
        w.WriteEndObject();
    }

    public static void TaskDefinition(Utf8JsonWriter w, TaskDefinitionRecord td, string account)
    {
        w.WriteStartObject();
        w.WriteString("taskDefinitionArn", td.Arn);
        w.WriteStartArray("containerDefinitions");
        foreach (var c in td.ContainerDefinitions) ContainerDefinition(w, c);
        w.WriteEndArray();
        w.WriteString("family", td.Family);
        OptString(w, "taskRoleArn", td.TaskRoleArn);
        OptString(w, "executionRoleArn", td.ExecutionRoleArn);
        w.WriteString("networkMode", td.NetworkMode);
        w.WriteNumber("revision", td.Revision);
        if (td.Extra?.ContainsKey("volumes") != true)
        {
            w.WriteStartArray("volumes");
            w.WriteEndArray();
        }
        w.WriteString("status", td.Status);
        if (td.Extra?.ContainsKey("placementConstraints") != true)
        {
            w.WriteStartArray("placementConstraints");
            w.WriteEndArray();
        }
        // EC2 and EXTERNAL instances can run any definition; FARGATE needs awsvpc and task-level cpu and memory.
        var compatibilities = new List<string> { "EC2", "EXTERNAL" };
        if (td.NetworkMode == NetworkModes.AwsVpc && td.Cpu is not null && td.Memory is not null) compatibilities.Add("FARGATE");
        Strings(w, "compatibilities", compatibilities);
        if (td.RequiresCompatibilities.Count > 0) Strings(w, "requiresCompatibilities", td.RequiresCompatibilities);
        OptString(w, "cpu", td.Cpu);
        OptString(w, "memory", td.Memory);
        Timestamp(w, "registeredAt", td.RegisteredAt);
        OptTimestamp(w, "deregisteredAt", td.DeregisteredAt);
        w.WriteString("registeredBy", $"arn:aws:iam::{account}:root");
        Extra(w, td.Extra, "tags");
        w.WriteEndObject();
    }

    private static void ContainerDefinition(Utf8JsonWriter w, ContainerDefinition c)
    {
        w.WriteStartObject();
        w.WriteString("name", c.Name);
        w.WriteString("image", c.Image);
        w.WriteNumber("cpu", c.Cpu);
        if (c.Memory is { } memory) w.WriteNumber("memory", memory);
        if (c.MemoryReservation is { } reservation) w.WriteNumber("memoryReservation", reservation);
        w.WriteStartArray("portMappings");
        foreach (var p in c.PortMappings)
        {
            w.WriteStartObject();
            w.WriteNumber("containerPort", p.ContainerPort);
            w.WriteNumber("hostPort", p.HostPort);
            w.WriteString("protocol", p.Protocol);
            OptString(w, "name", p.Name);
            OptString(w, "appProtocol", p.AppProtocol);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteBoolean("essential", c.Essential);
        if (c.EntryPoint is not null) Strings(w, "entryPoint", c.EntryPoint);
        if (c.Command is not null) Strings(w, "command", c.Command);
        NameValues(w, "environment", c.Environment);
        foreach (var list in (string[])["mountPoints", "volumesFrom"])
        {
            if (c.Extra?.ContainsKey(list) == true) continue;
            w.WriteStartArray(list);
            w.WriteEndArray();
        }
        OptString(w, "workingDirectory", c.WorkingDirectory);
        if (c.StartTimeout is { } start) w.WriteNumber("startTimeout", start);
        if (c.StopTimeout is { } stop) w.WriteNumber("stopTimeout", stop);
        if (c.HealthCheck is { } hc)
        {
            w.WriteStartObject("healthCheck");
            Strings(w, "command", hc.Command);
            w.WriteNumber("interval", hc.Interval);
            w.WriteNumber("timeout", hc.Timeout);
            w.WriteNumber("retries", hc.Retries);
            if (hc.StartPeriod > 0) w.WriteNumber("startPeriod", hc.StartPeriod);
            w.WriteEndObject();
        }
        Extra(w, c.Extra);
        w.WriteEndObject();
    }

    public void Service(Utf8JsonWriter w, RegistrySnapshot s, EcsServiceRecord svc, bool withTags)
    {
        var tasks = s.Ecs.TasksOfService(svc.Cluster, svc.Name).Select(t => t.Record).ToList();
        w.WriteStartObject();
        w.WriteString("serviceArn", svc.Arn);
        w.WriteString("serviceName", svc.Name);
        w.WriteString("clusterArn", arns.Cluster(svc.Cluster));
        w.WriteStartArray("loadBalancers");
        foreach (var lb in svc.LoadBalancers)
        {
            w.WriteStartObject();
            OptString(w, "targetGroupArn", lb.TargetGroupArn);
            OptString(w, "loadBalancerName", lb.LoadBalancerName);
            w.WriteString("containerName", lb.ContainerName);
            w.WriteNumber("containerPort", lb.ContainerPort);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteStartArray("serviceRegistries");
        foreach (var r in svc.ServiceRegistries)
        {
            w.WriteStartObject();
            w.WriteString("registryArn", r.RegistryArn);
            if (r.Port is { } port) w.WriteNumber("port", port);
            OptString(w, "containerName", r.ContainerName);
            if (r.ContainerPort is { } containerPort) w.WriteNumber("containerPort", containerPort);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteString("status", svc.Status);
        w.WriteNumber("desiredCount", svc.DesiredCount);
        w.WriteNumber("runningCount", tasks.Count(t => t.LastStatus == EcsTaskStatus.Running));
        w.WriteNumber("pendingCount", tasks.Count(IsPending));
        w.WriteString("launchType", svc.LaunchType);
        OptString(w, "platformVersion", svc.PlatformVersion);
        w.WriteString("taskDefinition", svc.TaskDefinitionArn);
        DeploymentConfiguration(w, svc.DeploymentConfiguration);
        w.WriteStartArray("deployments");
        foreach (var d in svc.Deployments) Deployment(w, d, tasks);
        w.WriteEndArray();
        OptString(w, "roleArn", svc.RoleArn);
        w.WriteStartArray("events");
        foreach (var e in s.Ecs.EventsOf(svc.Cluster, svc.Name))
        {
            w.WriteStartObject();
            w.WriteString("id", e.Id);
            Timestamp(w, "createdAt", e.CreatedAt);
            w.WriteString("message", e.Message);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        Timestamp(w, "createdAt", svc.CreatedAt);
        foreach (var list in (string[])["placementConstraints", "placementStrategy"])
        {
            if (svc.Extra?.ContainsKey(list) == true) continue;
            w.WriteStartArray(list);
            w.WriteEndArray();
        }
        if (svc.HealthCheckGracePeriodSeconds is { } grace) w.WriteNumber("healthCheckGracePeriodSeconds", grace);
        w.WriteString("schedulingStrategy", svc.SchedulingStrategy);
        w.WriteStartObject("deploymentController");
        w.WriteString("type", "ECS");
        w.WriteEndObject();
        if (withTags) Tags(w, s, svc.Arn);
        OptString(w, "createdBy", svc.CreatedBy);
        w.WriteBoolean("enableECSManagedTags", svc.EnableEcsManagedTags);
        OptString(w, "propagateTags", svc.PropagateTags);
        w.WriteBoolean("enableExecuteCommand", svc.EnableExecuteCommand);
        Extra(w, svc.Extra);
        w.WriteEndObject();
    }

    private static void DeploymentConfiguration(Utf8JsonWriter w, DeploymentConfigurationSpec c)
    {
        w.WriteStartObject("deploymentConfiguration");
        w.WriteStartObject("deploymentCircuitBreaker");
        w.WriteBoolean("enable", c.CircuitBreakerEnable);
        w.WriteBoolean("rollback", c.CircuitBreakerRollback);
        w.WriteEndObject();
        w.WriteNumber("maximumPercent", c.MaximumPercent);
        w.WriteNumber("minimumHealthyPercent", c.MinimumHealthyPercent);
        if (c.Alarms is { } alarms)
        {
            w.WritePropertyName("alarms");
            alarms.WriteTo(w);
        }
        w.WriteEndObject();
    }

    private static void Deployment(Utf8JsonWriter w, DeploymentRecord d, List<TaskRecord> serviceTasks)
    {
        var tasks = serviceTasks.Where(t => t.DeploymentId == d.Id).ToList();
        w.WriteStartObject();
        w.WriteString("id", d.Id);
        w.WriteString("status", d.Status);
        w.WriteString("taskDefinition", d.TaskDefinitionArn);
        // Older deployments are scaled down as the rollout goes: their desired count is what they still run.
        w.WriteNumber("desiredCount", d.Status == DeploymentStatus.Primary ? d.DesiredCount : tasks.Count(t => t.WantsRunning));
        w.WriteNumber("pendingCount", tasks.Count(IsPending));
        w.WriteNumber("runningCount", tasks.Count(t => t.LastStatus == EcsTaskStatus.Running));
        w.WriteNumber("failedTasks", d.FailedTasks);
        Timestamp(w, "createdAt", d.CreatedAt);
        Timestamp(w, "updatedAt", d.UpdatedAt);
        w.WriteString("launchType", d.LaunchType);
        w.WriteString("rolloutState", d.RolloutState);
        OptString(w, "rolloutStateReason", d.RolloutStateReason);
        w.WriteEndObject();
    }

    public void Task(Utf8JsonWriter w, RegistrySnapshot s, TaskRecord t, bool withTags)
    {
        w.WriteStartObject();
        w.WriteStartArray("attachments");
        w.WriteEndArray();
        w.WriteStartArray("attributes");
        w.WriteStartObject();
        w.WriteString("name", "ecs.cpu-architecture");
        w.WriteString("value", System.Runtime.InteropServices.RuntimeInformation.OSArchitecture == System.Runtime.InteropServices.Architecture.Arm64 ? "arm64" : "x86_64");
        w.WriteEndObject();
        w.WriteEndArray();
        w.WriteString("availabilityZone", arns.Region + "a");
        w.WriteString("clusterArn", arns.Cluster(t.Cluster));
        w.WriteString("connectivity", "CONNECTED");
        Timestamp(w, "connectivityAt", t.CreatedAt);
        w.WriteString("containerInstanceArn", t.ContainerInstanceArn);
        w.WriteStartArray("containers");
        foreach (var c in t.Containers) Container(w, t, c);
        w.WriteEndArray();
        OptString(w, "cpu", t.Cpu);
        Timestamp(w, "createdAt", t.CreatedAt);
        w.WriteString("desiredStatus", t.DesiredStatus);
        w.WriteBoolean("enableExecuteCommand", false);
        OptTimestamp(w, "executionStoppedAt", t.ExecutionStoppedAt);
        w.WriteString("group", t.Group);
        w.WriteString("healthStatus", t.HealthStatus);
        w.WriteString("lastStatus", t.LastStatus);
        w.WriteString("launchType", t.LaunchType);
        OptString(w, "memory", t.Memory);
        w.WriteStartObject("overrides");
        w.WriteStartArray("containerOverrides");
        foreach (var c in t.Containers)
        {
            var o = t.ContainerOverrides.FirstOrDefault(x => x.Name == c.Name);
            w.WriteStartObject();
            w.WriteString("name", c.Name);
            if (o?.Command is { } command) Strings(w, "command", command);
            if (o is { Environment.Count: > 0 }) NameValues(w, "environment", o.Environment);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteStartArray("inferenceAcceleratorOverrides");
        w.WriteEndArray();
        w.WriteEndObject();
        OptTimestamp(w, "pullStartedAt", t.PullStartedAt);
        OptTimestamp(w, "pullStoppedAt", t.PullStoppedAt);
        OptTimestamp(w, "startedAt", t.StartedAt);
        OptString(w, "startedBy", t.StartedBy);
        OptString(w, "stopCode", t.StopCode);
        OptTimestamp(w, "stoppedAt", t.StoppedAt);
        if (t.StoppedReason is not null && (t.DesiredStatus == EcsTaskStatus.Stopped || t.IsStopped)) w.WriteString("stoppedReason", t.StoppedReason);
        OptTimestamp(w, "stoppingAt", t.StoppingAt);
        if (withTags) Tags(w, s, t.Arn);
        w.WriteString("taskArn", t.Arn);
        w.WriteString("taskDefinitionArn", t.TaskDefinitionArn);
        w.WriteNumber("version", t.Version);
        w.WriteEndObject();
    }

    private static void Container(Utf8JsonWriter w, TaskRecord t, ContainerRecord c)
    {
        w.WriteStartObject();
        w.WriteString("containerArn", c.Arn);
        w.WriteString("taskArn", t.Arn);
        w.WriteString("name", c.Name);
        w.WriteString("image", c.Image);
        OptString(w, "runtimeId", c.RuntimeId);
        w.WriteString("lastStatus", c.LastStatus);
        if (c.ExitCode is { } exit) w.WriteNumber("exitCode", exit);
        OptString(w, "reason", c.Reason);
        w.WriteStartArray("networkBindings");
        foreach (var b in c.NetworkBindings)
        {
            w.WriteStartObject();
            w.WriteString("bindIP", b.BindIp);
            w.WriteNumber("containerPort", b.ContainerPort);
            w.WriteNumber("hostPort", b.HostPort);
            w.WriteString("protocol", b.Protocol);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteStartArray("networkInterfaces");
        w.WriteEndArray();
        w.WriteString("healthStatus", c.HealthStatus);
        w.WriteString("cpu", "0");
        w.WriteEndObject();
    }

    public static bool IsPending(TaskRecord t) =>
        t.WantsRunning && t.LastStatus is EcsTaskStatus.Provisioning or EcsTaskStatus.Pending or EcsTaskStatus.Activating;

    public static string ServiceKey(EcsServiceRecord svc) => EcsState.ServiceKey(svc.Cluster, svc.Name);
}
