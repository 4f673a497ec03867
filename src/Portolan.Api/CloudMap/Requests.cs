using System.Text.Json.Serialization;

namespace Portolan.Api.CloudMap;

// Request shapes of the Cloud Map JSON protocol (botocore servicediscovery 2017-03-14), member names exact.
// Everything is nullable: requiredness is checked by the handlers so a missing member is InvalidInput, not a crash.

internal sealed class TagDto { public string? Key { get; set; } public string? Value { get; set; } }
internal sealed class SoaDto { public long? TTL { get; set; } }
internal sealed class DnsPropertiesDto { public SoaDto? SOA { get; set; } }
internal sealed class NamespacePropertiesDto { public DnsPropertiesDto? DnsProperties { get; set; } }
internal sealed class DnsRecordDto { public string? Type { get; set; } public long? TTL { get; set; } }
internal sealed class DnsConfigDto { public string? NamespaceId { get; set; } public string? RoutingPolicy { get; set; } public List<DnsRecordDto>? DnsRecords { get; set; } }
internal sealed class HealthCheckConfigDto { public string? Type { get; set; } public string? ResourcePath { get; set; } public int? FailureThreshold { get; set; } }
internal sealed class HealthCheckCustomConfigDto { public int? FailureThreshold { get; set; } }
internal sealed class FilterDto { public string? Name { get; set; } public List<string>? Values { get; set; } public string? Condition { get; set; } }

internal sealed class CreateNamespaceRequest
{
    public string? Name { get; set; }
    public string? CreatorRequestId { get; set; }
    public string? Description { get; set; }
    public string? Vpc { get; set; }
    public List<TagDto>? Tags { get; set; }
    public NamespacePropertiesDto? Properties { get; set; }
}

internal sealed class NamespaceChangeDto
{
    public string? Description { get; set; }
    public NamespacePropertiesDto? Properties { get; set; }
}

internal sealed class UpdateNamespaceRequest
{
    public string? Id { get; set; }
    public string? UpdaterRequestId { get; set; }
    public NamespaceChangeDto? Namespace { get; set; }
}

internal sealed class IdRequest { public string? Id { get; set; } }

internal sealed class ListRequest
{
    public string? NextToken { get; set; }
    public int? MaxResults { get; set; }
    public List<FilterDto>? Filters { get; set; }
}

internal sealed class CreateServiceRequest
{
    public string? Name { get; set; }
    public string? NamespaceId { get; set; }
    public string? CreatorRequestId { get; set; }
    public string? Description { get; set; }
    public DnsConfigDto? DnsConfig { get; set; }
    public HealthCheckConfigDto? HealthCheckConfig { get; set; }
    public HealthCheckCustomConfigDto? HealthCheckCustomConfig { get; set; }
    public List<TagDto>? Tags { get; set; }
    public string? Type { get; set; }
}

internal sealed class ServiceChangeDto
{
    public string? Description { get; set; }
    public DnsConfigDto? DnsConfig { get; set; }
    public HealthCheckConfigDto? HealthCheckConfig { get; set; }
}

internal sealed class UpdateServiceRequest { public string? Id { get; set; } public ServiceChangeDto? Service { get; set; } }

internal sealed class ServiceAttributesRequest
{
    public string? ServiceId { get; set; }
    public Dictionary<string, string>? Attributes { get; set; }
}

internal sealed class DeleteServiceAttributesRequest
{
    public string? ServiceId { get; set; }
    public List<string>? Attributes { get; set; }
}

internal sealed class RegisterInstanceRequest
{
    public string? ServiceId { get; set; }
    public string? InstanceId { get; set; }
    public string? CreatorRequestId { get; set; }
    public Dictionary<string, string>? Attributes { get; set; }
}

internal sealed class InstanceRequest
{
    public string? ServiceId { get; set; }
    public string? InstanceId { get; set; }
    public string? Status { get; set; }
}

internal sealed class ListInstancesRequest
{
    public string? ServiceId { get; set; }
    public string? NextToken { get; set; }
    public int? MaxResults { get; set; }
    public List<string>? Instances { get; set; }
}

internal sealed class DiscoverInstancesRequest
{
    public string? NamespaceName { get; set; }
    public string? ServiceName { get; set; }
    public int? MaxResults { get; set; }
    public Dictionary<string, string>? QueryParameters { get; set; }
    public Dictionary<string, string>? OptionalParameters { get; set; }
    public string? HealthStatus { get; set; }
    public string? OwnerAccount { get; set; }
}

internal sealed class GetOperationRequest { public string? OperationId { get; set; } }

internal sealed class TagResourceRequest
{
    public string? ResourceARN { get; set; }
    public List<TagDto>? Tags { get; set; }
    public List<string>? TagKeys { get; set; }
}

[JsonSourceGenerationOptions(NumberHandling = JsonNumberHandling.Strict)]
[JsonSerializable(typeof(CreateNamespaceRequest))]
[JsonSerializable(typeof(UpdateNamespaceRequest))]
[JsonSerializable(typeof(IdRequest))]
[JsonSerializable(typeof(ListRequest))]
[JsonSerializable(typeof(CreateServiceRequest))]
[JsonSerializable(typeof(UpdateServiceRequest))]
[JsonSerializable(typeof(ServiceAttributesRequest))]
[JsonSerializable(typeof(DeleteServiceAttributesRequest))]
[JsonSerializable(typeof(RegisterInstanceRequest))]
[JsonSerializable(typeof(InstanceRequest))]
[JsonSerializable(typeof(ListInstancesRequest))]
[JsonSerializable(typeof(DiscoverInstancesRequest))]
[JsonSerializable(typeof(GetOperationRequest))]
[JsonSerializable(typeof(TagResourceRequest))]
internal sealed partial class CloudMapJsonContext : JsonSerializerContext;
