using System.Text.Json;
using Portolan.Core.Ecs.Model;

namespace Portolan.Core.Ecs.Registry;

public sealed record CreateClusterCommand(string? Name, IReadOnlyList<NameValue>? Settings = null, IReadOnlyList<KeyValuePair<string, string>>? Tags = null);

public sealed record RegisterTaskDefinitionCommand
{
    public string? Family { get; init; }
    public IReadOnlyList<ContainerDefinition> ContainerDefinitions { get; init; } = [];
    public string? NetworkMode { get; init; }
    public string? Cpu { get; init; }
    public string? Memory { get; init; }
    public IReadOnlyList<string> RequiresCompatibilities { get; init; } = [];
    public string? TaskRoleArn { get; init; }
    public string? ExecutionRoleArn { get; init; }
    public IReadOnlyList<KeyValuePair<string, string>>? Tags { get; init; }
    public IReadOnlyDictionary<string, JsonElement>? Extra { get; init; }
}

/// <summary>CreateService as Portolan acts on it; the API layer has already dropped skeleton placeholders.</summary>
public sealed record CreateEcsServiceCommand
{
    public string? Cluster { get; init; }
    public string? ServiceName { get; init; }
    public string? TaskDefinition { get; init; }
    public int? DesiredCount { get; init; }
    public IReadOnlyList<LoadBalancerSpec> LoadBalancers { get; init; } = [];
    public IReadOnlyList<ServiceRegistrySpec> ServiceRegistries { get; init; } = [];
    public string? LaunchType { get; init; }
    public bool HasCapacityProviderStrategy { get; init; }
    public DeploymentConfigurationSpec? DeploymentConfiguration { get; init; }
    public int? HealthCheckGracePeriodSeconds { get; init; }
    public string? SchedulingStrategy { get; init; }
    public string? DeploymentController { get; init; }
    public bool HasNetworkConfiguration { get; init; }
    public string? ClientToken { get; init; }
    public string? PlatformVersion { get; init; }
    public string? Role { get; init; }
    public bool EnableEcsManagedTags { get; init; }
    public bool EnableExecuteCommand { get; init; }
    public string? PropagateTags { get; init; }
    public IReadOnlyList<KeyValuePair<string, string>>? Tags { get; init; }
    public IReadOnlyDictionary<string, JsonElement>? Extra { get; init; }
}

/// <summary>UpdateService: null members stay as they are; a changed task definition, load balancers or registries, or
/// <see cref="ForceNewDeployment"/>, start a new deployment.</summary>
public sealed record UpdateEcsServiceCommand
{
    public string? Cluster { get; init; }
    public string? Service { get; init; }
    public int? DesiredCount { get; init; }
    public string? TaskDefinition { get; init; }
    public int? MaximumPercent { get; init; }
    public int? MinimumHealthyPercent { get; init; }
    public (bool Enable, bool Rollback)? CircuitBreaker { get; init; }
    public bool ForceNewDeployment { get; init; }
    public int? HealthCheckGracePeriodSeconds { get; init; }
    public IReadOnlyList<LoadBalancerSpec>? LoadBalancers { get; init; }
    public IReadOnlyList<ServiceRegistrySpec>? ServiceRegistries { get; init; }
    public bool? EnableExecuteCommand { get; init; }
    public bool? EnableEcsManagedTags { get; init; }
    public string? PropagateTags { get; init; }
    public bool? HasNetworkConfiguration { get; init; }
}

/// <summary>RunTask (no container instances) and StartTask (the instances to start on).</summary>
public sealed record RunTaskCommand
{
    public string? Cluster { get; init; }
    public string? TaskDefinition { get; init; }
    public int Count { get; init; } = 1;
    public string? Group { get; init; }
    public string? StartedBy { get; init; }
    public string? LaunchType { get; init; }
    public bool HasNetworkConfiguration { get; init; }
    public IReadOnlyList<ContainerOverrideSpec> ContainerOverrides { get; init; } = [];
    public IReadOnlyList<string>? ContainerInstances { get; init; }
    public bool EnableEcsManagedTags { get; init; }
    public string? PropagateTags { get; init; }
    public IReadOnlyList<KeyValuePair<string, string>>? Tags { get; init; }
}
