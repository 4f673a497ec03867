namespace Portolan.Core.Ecs.Model;

/// <summary>
/// A deployment of a service: one task definition rolled out to <see cref="DesiredCount"/> tasks. Status is
/// PRIMARY (the newest), ACTIVE (older ones still draining) or INACTIVE; rollout state IN_PROGRESS, COMPLETED or
/// FAILED as the deployment circuit breaker decides.
/// </summary>
public sealed record DeploymentRecord
{
    /// <summary><c>ecs-svc/</c> and 19 digits, as ECS makes them; tasks of the deployment carry it as <c>startedBy</c>.</summary>
    public required string Id { get; init; }
    public required string Status { get; init; }
    public required string TaskDefinitionArn { get; init; }
    public required int DesiredCount { get; init; }
    public int FailedTasks { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }
    public required DateTimeOffset UpdatedAt { get; init; }
    public string LaunchType { get; init; } = "EC2";
    public required string RolloutState { get; init; }
    public string? RolloutStateReason { get; init; }

    /// <summary>Set when this deployment is a circuit-breaker rollback (the id of the deployment that failed).</summary>
    public string? RollbackOf { get; init; }
}

/// <summary>Deployment status and rollout-state strings.</summary>
public static class DeploymentStatus
{
    public const string Primary = "PRIMARY";
    public const string Active = "ACTIVE";
    public const string Inactive = "INACTIVE";

    public const string InProgress = "IN_PROGRESS";
    public const string Completed = "COMPLETED";
    public const string Failed = "FAILED";
}
