using System.Text.Json;
using System.Text.Json.Serialization;

namespace Portolan.Api.Ecs;

// Request shapes of the ECS JSON protocol (botocore ecs 2014-11-13); members are camelCase on the wire. Everything
// is nullable: requiredness is checked by the handlers, so a missing member is an ECS error rather than a crash.

internal sealed class TagDto { public string? Key { get; set; } public string? Value { get; set; } }
internal sealed class NameValueDto { public string? Name { get; set; } public string? Value { get; set; } }

internal sealed class PortMappingDto
{
    public int? ContainerPort { get; set; }
    public int? HostPort { get; set; }
    public string? Protocol { get; set; }
    public string? Name { get; set; }
    public string? AppProtocol { get; set; }
    public string? ContainerPortRange { get; set; }
}

internal sealed class HealthCheckDto
{
    public List<string>? Command { get; set; }
    public int? Interval { get; set; }
    public int? Timeout { get; set; }
    public int? Retries { get; set; }
    public int? StartPeriod { get; set; }
}

internal sealed class ContainerDefinitionDto
{
    public string? Name { get; set; }
    public string? Image { get; set; }
    public int? Cpu { get; set; }
    public int? Memory { get; set; }
    public int? MemoryReservation { get; set; }
    public bool? Essential { get; set; }
    public List<string>? EntryPoint { get; set; }
    public List<string>? Command { get; set; }
    public List<NameValueDto>? Environment { get; set; }
    public List<PortMappingDto>? PortMappings { get; set; }
    public string? WorkingDirectory { get; set; }
    public HealthCheckDto? HealthCheck { get; set; }
    public int? StartTimeout { get; set; }
    public int? StopTimeout { get; set; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Extra { get; set; }
}

internal sealed class RegisterTaskDefinitionRequest
{
    public string? Family { get; set; }
    public string? TaskRoleArn { get; set; }
    public string? ExecutionRoleArn { get; set; }
    public string? NetworkMode { get; set; }
    public List<ContainerDefinitionDto>? ContainerDefinitions { get; set; }
    public List<string>? RequiresCompatibilities { get; set; }
    public string? Cpu { get; set; }
    public string? Memory { get; set; }
    public List<TagDto>? Tags { get; set; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Extra { get; set; }
}

internal sealed class CreateClusterRequest
{
    public string? ClusterName { get; set; }
    public List<TagDto>? Tags { get; set; }
    public List<NameValueDto>? Settings { get; set; }
}

internal sealed class ClusterRequest { public string? Cluster { get; set; } }

internal sealed class DescribeClustersRequest { public List<string>? Clusters { get; set; } public List<string>? Include { get; set; } }

internal sealed class ListRequest
{
    public string? Cluster { get; set; }
    public string? NextToken { get; set; }
    public int? MaxResults { get; set; }
    public string? FamilyPrefix { get; set; }
    public string? Status { get; set; }
    public string? Sort { get; set; }
    public string? LaunchType { get; set; }
    public string? SchedulingStrategy { get; set; }
    public string? ContainerInstance { get; set; }
    public string? Family { get; set; }
    public string? StartedBy { get; set; }
    public string? ServiceName { get; set; }
    public string? DesiredStatus { get; set; }
}

internal sealed class TaskDefinitionRequest { public string? TaskDefinition { get; set; } public List<string>? Include { get; set; } }

internal sealed class LoadBalancerDto
{
    public string? TargetGroupArn { get; set; }
    public string? LoadBalancerName { get; set; }
    public string? ContainerName { get; set; }
    public int? ContainerPort { get; set; }
}

internal sealed class ServiceRegistryDto
{
    public string? RegistryArn { get; set; }
    public int? Port { get; set; }
    public string? ContainerName { get; set; }
    public int? ContainerPort { get; set; }
}

internal sealed class CircuitBreakerDto { public bool? Enable { get; set; } public bool? Rollback { get; set; } }

internal sealed class DeploymentConfigurationDto
{
    public CircuitBreakerDto? DeploymentCircuitBreaker { get; set; }
    public int? MaximumPercent { get; set; }
    public int? MinimumHealthyPercent { get; set; }
    public JsonElement? Alarms { get; set; }
}

internal sealed class CapacityProviderItemDto { public string? CapacityProvider { get; set; } public int? Weight { get; set; } public int? Base { get; set; } }
internal sealed class DeploymentControllerDto { public string? Type { get; set; } }

internal sealed class CreateServiceRequest
{
    public string? Cluster { get; set; }
    public string? ServiceName { get; set; }
    public string? TaskDefinition { get; set; }
    public List<LoadBalancerDto>? LoadBalancers { get; set; }
    public List<ServiceRegistryDto>? ServiceRegistries { get; set; }
    public int? DesiredCount { get; set; }
    public string? ClientToken { get; set; }
    public string? LaunchType { get; set; }
    public List<CapacityProviderItemDto>? CapacityProviderStrategy { get; set; }
    public string? PlatformVersion { get; set; }
    public string? Role { get; set; }
    public DeploymentConfigurationDto? DeploymentConfiguration { get; set; }
    public JsonElement? PlacementConstraints { get; set; }
    public JsonElement? PlacementStrategy { get; set; }
    public JsonElement? NetworkConfiguration { get; set; }
    public int? HealthCheckGracePeriodSeconds { get; set; }
    public string? SchedulingStrategy { get; set; }
    public DeploymentControllerDto? DeploymentController { get; set; }
    public List<TagDto>? Tags { get; set; }
    public bool? EnableECSManagedTags { get; set; }
    public string? PropagateTags { get; set; }
    public bool? EnableExecuteCommand { get; set; }
    public JsonElement? ServiceConnectConfiguration { get; set; }
}

internal sealed class UpdateServiceRequest
{
    public string? Cluster { get; set; }
    public string? Service { get; set; }
    public int? DesiredCount { get; set; }
    public string? TaskDefinition { get; set; }
    public List<CapacityProviderItemDto>? CapacityProviderStrategy { get; set; }
    public DeploymentConfigurationDto? DeploymentConfiguration { get; set; }
    public JsonElement? NetworkConfiguration { get; set; }
    public JsonElement? PlacementConstraints { get; set; }
    public JsonElement? PlacementStrategy { get; set; }
    public string? PlatformVersion { get; set; }
    public bool? ForceNewDeployment { get; set; }
    public int? HealthCheckGracePeriodSeconds { get; set; }
    public bool? EnableExecuteCommand { get; set; }
    public bool? EnableECSManagedTags { get; set; }
    public List<LoadBalancerDto>? LoadBalancers { get; set; }
    public string? PropagateTags { get; set; }
    public List<ServiceRegistryDto>? ServiceRegistries { get; set; }
    public JsonElement? ServiceConnectConfiguration { get; set; }
}

internal sealed class DeleteServiceRequest { public string? Cluster { get; set; } public string? Service { get; set; } public bool? Force { get; set; } }

internal sealed class DescribeServicesRequest { public string? Cluster { get; set; } public List<string>? Services { get; set; } public List<string>? Include { get; set; } }

internal sealed class ContainerOverrideDto
{
    public string? Name { get; set; }
    public List<string>? Command { get; set; }
    public List<NameValueDto>? Environment { get; set; }
}

internal sealed class TaskOverrideDto { public List<ContainerOverrideDto>? ContainerOverrides { get; set; } }

internal sealed class RunTaskRequest
{
    public string? Cluster { get; set; }
    public string? TaskDefinition { get; set; }
    public int? Count { get; set; }
    public string? Group { get; set; }
    public string? StartedBy { get; set; }
    public string? LaunchType { get; set; }
    public List<CapacityProviderItemDto>? CapacityProviderStrategy { get; set; }
    public JsonElement? NetworkConfiguration { get; set; }
    public TaskOverrideDto? Overrides { get; set; }
    public List<string>? ContainerInstances { get; set; }
    public bool? EnableECSManagedTags { get; set; }
    public string? PropagateTags { get; set; }
    public List<TagDto>? Tags { get; set; }
}

internal sealed class StopTaskRequest { public string? Cluster { get; set; } public string? Task { get; set; } public string? Reason { get; set; } }

internal sealed class DescribeTasksRequest { public string? Cluster { get; set; } public List<string>? Tasks { get; set; } public List<string>? Include { get; set; } }

internal sealed class TagResourceRequest
{
    public string? ResourceArn { get; set; }
    public List<TagDto>? Tags { get; set; }
    public List<string>? TagKeys { get; set; }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, NumberHandling = JsonNumberHandling.Strict)]
[JsonSerializable(typeof(RegisterTaskDefinitionRequest))]
[JsonSerializable(typeof(CreateClusterRequest))]
[JsonSerializable(typeof(ClusterRequest))]
[JsonSerializable(typeof(DescribeClustersRequest))]
[JsonSerializable(typeof(ListRequest))]
[JsonSerializable(typeof(TaskDefinitionRequest))]
[JsonSerializable(typeof(CreateServiceRequest))]
[JsonSerializable(typeof(UpdateServiceRequest))]
[JsonSerializable(typeof(DeleteServiceRequest))]
[JsonSerializable(typeof(DescribeServicesRequest))]
[JsonSerializable(typeof(RunTaskRequest))]
[JsonSerializable(typeof(StopTaskRequest))]
[JsonSerializable(typeof(DescribeTasksRequest))]
[JsonSerializable(typeof(TagResourceRequest))]
internal sealed partial class EcsJsonContext : JsonSerializerContext;
