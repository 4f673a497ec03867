using System.Text.Json.Serialization;

namespace Portolan.Core.Discovery;

[JsonConverter(typeof(JsonStringEnumConverter<NamespaceType>))]
public enum NamespaceType
{
    [JsonStringEnumMemberName("HTTP")] Http,
    [JsonStringEnumMemberName("DNS_PRIVATE")] DnsPrivate,
    [JsonStringEnumMemberName("DNS_PUBLIC")] DnsPublic,
}

[JsonConverter(typeof(JsonStringEnumConverter<ServiceType>))]
public enum ServiceType
{
    /// <summary>Found only through DiscoverInstances.</summary>
    [JsonStringEnumMemberName("HTTP")] Http,
    /// <summary>Found through DNS and DiscoverInstances.</summary>
    [JsonStringEnumMemberName("DNS_HTTP")] DnsHttp,
    /// <summary>Found through DNS only (kept for wire completeness; Portolan creates HTTP or DNS_HTTP).</summary>
    [JsonStringEnumMemberName("DNS")] Dns,
}

[JsonConverter(typeof(JsonStringEnumConverter<RecordType>))]
public enum RecordType
{
    [JsonStringEnumMemberName("A")] A,
    [JsonStringEnumMemberName("AAAA")] Aaaa,
    [JsonStringEnumMemberName("SRV")] Srv,
    [JsonStringEnumMemberName("CNAME")] Cname,
}

[JsonConverter(typeof(JsonStringEnumConverter<RoutingPolicy>))]
public enum RoutingPolicy
{
    [JsonStringEnumMemberName("MULTIVALUE")] Multivalue,
    [JsonStringEnumMemberName("WEIGHTED")] Weighted,
}

[JsonConverter(typeof(JsonStringEnumConverter<HealthCheckType>))]
public enum HealthCheckType
{
    [JsonStringEnumMemberName("HTTP")] Http,
    [JsonStringEnumMemberName("HTTPS")] Https,
    [JsonStringEnumMemberName("TCP")] Tcp,
}

[JsonConverter(typeof(JsonStringEnumConverter<HealthStatus>))]
public enum HealthStatus
{
    [JsonStringEnumMemberName("HEALTHY")] Healthy,
    [JsonStringEnumMemberName("UNHEALTHY")] Unhealthy,
    [JsonStringEnumMemberName("UNKNOWN")] Unknown,
}

[JsonConverter(typeof(JsonStringEnumConverter<OperationType>))]
public enum OperationType
{
    [JsonStringEnumMemberName("CREATE_NAMESPACE")] CreateNamespace,
    [JsonStringEnumMemberName("DELETE_NAMESPACE")] DeleteNamespace,
    [JsonStringEnumMemberName("UPDATE_NAMESPACE")] UpdateNamespace,
    [JsonStringEnumMemberName("UPDATE_SERVICE")] UpdateService,
    [JsonStringEnumMemberName("REGISTER_INSTANCE")] RegisterInstance,
    [JsonStringEnumMemberName("DEREGISTER_INSTANCE")] DeregisterInstance,
}

[JsonConverter(typeof(JsonStringEnumConverter<OperationStatus>))]
public enum OperationStatus
{
    [JsonStringEnumMemberName("SUBMITTED")] Submitted,
    [JsonStringEnumMemberName("PENDING")] Pending,
    [JsonStringEnumMemberName("SUCCESS")] Success,
    [JsonStringEnumMemberName("FAIL")] Fail,
}

[JsonConverter(typeof(JsonStringEnumConverter<OperationTargetType>))]
public enum OperationTargetType
{
    [JsonStringEnumMemberName("NAMESPACE")] Namespace,
    [JsonStringEnumMemberName("SERVICE")] Service,
    [JsonStringEnumMemberName("INSTANCE")] Instance,
}
