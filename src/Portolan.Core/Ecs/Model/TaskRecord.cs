namespace Portolan.Core.Ecs.Model;

/// <summary>
/// A task as stored. <see cref="DesiredStatus"/> is written by whoever decides (RunTask, StopTask, the service
/// scheduler); <see cref="LastStatus"/>, the containers and the registrations by the agent on
/// <see cref="NodeId"/>, the node whose process runtime runs it. <see cref="Version"/> grows with every change,
/// as ECS's task version does.
/// </summary>
public sealed record TaskRecord
{
    /// <summary>32 lower-case hex digits, the last segment of the ARN.</summary>
    public required string Id { get; init; }
    public required string Arn { get; init; }
    public required string Cluster { get; init; }
    public required string TaskDefinitionArn { get; init; }
    public required string NodeId { get; init; }
    public required string ContainerInstanceArn { get; init; }
    public required string Group { get; init; }
    public string? StartedBy { get; init; }

    /// <summary>The service (in <see cref="Cluster"/>) that owns the task, and the deployment that started it.</summary>
    public string? ServiceName { get; init; }
    public string? DeploymentId { get; init; }

    public string LaunchType { get; init; } = "EC2";
    public string? Cpu { get; init; }
    public string? Memory { get; init; }
    public required string DesiredStatus { get; init; }
    public required string LastStatus { get; init; }
    public string HealthStatus { get; init; } = EcsHealth.Unknown;
    public required IReadOnlyList<ContainerRecord> Containers { get; init; }
    public IReadOnlyList<ContainerOverrideSpec> ContainerOverrides { get; init; } = [];
    public long Version { get; init; } = 1;

    public required DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset? PullStartedAt { get; init; }
    public DateTimeOffset? PullStoppedAt { get; init; }
    public DateTimeOffset? StartedAt { get; init; }
    public DateTimeOffset? StoppingAt { get; init; }
    public DateTimeOffset? ExecutionStoppedAt { get; init; }
    public DateTimeOffset? StoppedAt { get; init; }
    public string? StoppedReason { get; init; }
    public string? StopCode { get; init; }

    /// <summary>When the task's health first became HEALTHY (or it ran without health checks long enough to count as healthy).</summary>
    public DateTimeOffset? HealthyAt { get; init; }

    /// <summary>Where the agent registered the task, so it can deregister after a restart.</summary>
    public TaskRegistrations? Registrations { get; init; }

    /// <summary>True once the stop was asked for (by a user or the scheduler) rather than caused by the task itself.</summary>
    public bool StopRequested { get; init; }

    public bool IsStopped => LastStatus == EcsTaskStatus.Stopped;
    public bool WantsRunning => DesiredStatus == EcsTaskStatus.Running;

    public ContainerRecord? Container(string name) => Containers.FirstOrDefault(c => c.Name == name);

    /// <summary>The host port a container port was given, or null before the task has its bindings.</summary>
    public int? HostPort(string containerName, int containerPort) =>
        Container(containerName)?.NetworkBindings.FirstOrDefault(b => b.ContainerPort == containerPort)?.HostPort;
}

/// <summary>One container of a task: its state, the process that runs it and the ports it was given.</summary>
public sealed record ContainerRecord
{
    public required string Name { get; init; }
    public required string Arn { get; init; }
    public required string Image { get; init; }
    public required string LastStatus { get; init; }
    public int? ExitCode { get; init; }
    public string? Reason { get; init; }
    public IReadOnlyList<NetworkBindingRecord> NetworkBindings { get; init; } = [];
    public string HealthStatus { get; init; } = EcsHealth.Unknown;

    /// <summary>The process id (ECS reports a container runtime id here; Portolan's runtime is a process).</summary>
    public string? RuntimeId { get; init; }

    /// <summary>Process start time in clock ticks since boot (/proc/PID/stat field 22) and the boot id: a PID is only
    /// the same process if both match, which is what adopting a task after a restart checks.</summary>
    public long? StartTicks { get; init; }
    public string? BootId { get; init; }
}

/// <summary>A port binding as ECS reports it in <c>networkBindings</c>.</summary>
public sealed record NetworkBindingRecord(string BindIp, int ContainerPort, int HostPort, string Protocol);

/// <summary>RunTask/StartTask <c>overrides.containerOverrides</c> that change what a container runs.</summary>
public sealed record ContainerOverrideSpec
{
    public required string Name { get; init; }
    public IReadOnlyList<string>? Command { get; init; }
    public IReadOnlyList<NameValue> Environment { get; init; } = [];
}

/// <summary>Where a task is registered: a Cloud Map instance and load balancer targets.</summary>
public sealed record TaskRegistrations
{
    public string? CloudMapServiceId { get; init; }
    public string? CloudMapInstanceId { get; init; }
    public IReadOnlyList<TargetRegistration> Targets { get; init; } = [];

    /// <summary>When the task was taken out of DNS and the load balancers; draining runs from here.</summary>
    public DateTimeOffset? DeregisteredAt { get; init; }
}

public sealed record TargetRegistration(string TargetGroupArn, string Id, int Port);

/// <summary>Task and container status strings (the task lifecycle ECS documents).</summary>
public static class EcsTaskStatus
{
    public const string Provisioning = "PROVISIONING";
    public const string Pending = "PENDING";
    public const string Activating = "ACTIVATING";
    public const string Running = "RUNNING";
    public const string Deactivating = "DEACTIVATING";
    public const string Stopping = "STOPPING";
    public const string Deprovisioning = "DEPROVISIONING";
    public const string Stopped = "STOPPED";
}

public static class EcsHealth
{
    public const string Healthy = "HEALTHY";
    public const string Unhealthy = "UNHEALTHY";
    public const string Unknown = "UNKNOWN";
}

/// <summary>ECS <c>stopCode</c> values.</summary>
public static class StopCodes
{
    public const string TaskFailedToStart = "TaskFailedToStart";
    public const string EssentialContainerExited = "EssentialContainerExited";
    public const string UserInitiated = "UserInitiated";
    public const string ServiceSchedulerInitiated = "ServiceSchedulerInitiated";

    /// <summary>The task's container instance went away (in Portolan: its node shut down or left the cluster).</summary>
    public const string TerminationNotice = "TerminationNotice";
}
