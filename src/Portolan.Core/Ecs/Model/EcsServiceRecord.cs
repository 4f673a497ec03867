using System.Text.Json;

namespace Portolan.Core.Ecs.Model;

/// <summary>
/// An ECS service as stored: what the user asked for plus the deployments the scheduler drives. Running and
/// pending counts are not stored; they are counted from the service's tasks whenever they are read.
/// </summary>
public sealed record EcsServiceRecord
{
    public required string Name { get; init; }
    public required string Arn { get; init; }
    public required string Cluster { get; init; }
    public required string Status { get; init; }
    public required string TaskDefinitionArn { get; init; }
    public required int DesiredCount { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }
    public string LaunchType { get; init; } = "EC2";
    public string SchedulingStrategy { get; init; } = "REPLICA";
    public IReadOnlyList<LoadBalancerSpec> LoadBalancers { get; init; } = [];
    public IReadOnlyList<ServiceRegistrySpec> ServiceRegistries { get; init; } = [];
    public required DeploymentConfigurationSpec DeploymentConfiguration { get; init; }
    public int? HealthCheckGracePeriodSeconds { get; init; }
    public string? ClientToken { get; init; }
    public string? PlatformVersion { get; init; }
    public string? RoleArn { get; init; }
    public bool EnableEcsManagedTags { get; init; }
    public bool EnableExecuteCommand { get; init; }
    public string? PropagateTags { get; init; }
    public string? CreatedBy { get; init; }

    /// <summary>Newest first, as ECS lists them; the first is the PRIMARY deployment.</summary>
    public required IReadOnlyList<DeploymentRecord> Deployments { get; init; }

    /// <summary>Members recorded and echoed but not acted on (placement constraints and strategies, network configuration, capacity provider strategy).</summary>
    public IReadOnlyDictionary<string, JsonElement>? Extra { get; init; }

    public DeploymentRecord Primary => Deployments[0];
    public bool IsActive => Status == EcsStatus.Active;
}

/// <summary>One <c>loadBalancers</c> entry: a container port registered in a target group.</summary>
public sealed record LoadBalancerSpec(string? TargetGroupArn, string? LoadBalancerName, string ContainerName, int ContainerPort);

/// <summary>The <c>serviceRegistries</c> entry: a Cloud Map service the tasks register in.</summary>
public sealed record ServiceRegistrySpec(string RegistryArn, int? Port, string? ContainerName, int? ContainerPort);

/// <summary>Rolling-update bounds and the deployment circuit breaker (ECS defaults 100 / 200, breaker off).</summary>
public sealed record DeploymentConfigurationSpec
{
    public int MaximumPercent { get; init; } = 200;
    public int MinimumHealthyPercent { get; init; } = 100;
    public bool CircuitBreakerEnable { get; init; }
    public bool CircuitBreakerRollback { get; init; }

    /// <summary>CloudWatch alarms are recorded and echoed; there is no CloudWatch to evaluate them.</summary>
    public JsonElement? Alarms { get; init; }
}
