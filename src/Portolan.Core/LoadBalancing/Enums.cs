using System.Text.Json.Serialization;

namespace Portolan.Core.LoadBalancing;

// Every enum here is stored (JSON) and sent on the wire under its AWS name; WireNames maps both ways.

[JsonConverter(typeof(JsonStringEnumConverter<ElbProtocol>))]
public enum ElbProtocol
{
    [JsonStringEnumMemberName("HTTP")] Http,
    [JsonStringEnumMemberName("HTTPS")] Https,
    [JsonStringEnumMemberName("TCP")] Tcp,
    [JsonStringEnumMemberName("TLS")] Tls,
    [JsonStringEnumMemberName("UDP")] Udp,
    [JsonStringEnumMemberName("TCP_UDP")] TcpUdp,
    [JsonStringEnumMemberName("GENEVE")] Geneve,
}

/// <summary>How the load balancer talks to a target group's targets (HTTP/HTTPS target groups only).</summary>
[JsonConverter(typeof(JsonStringEnumConverter<ProtocolVersion>))]
public enum ProtocolVersion
{
    /// <summary>HTTP/1.1 to the targets (AWS's default).</summary>
    [JsonStringEnumMemberName("HTTP1")] Http1,
    /// <summary>HTTP/2 to the targets (h2c on HTTP target groups, h2 over TLS on HTTPS ones).</summary>
    [JsonStringEnumMemberName("HTTP2")] Http2,
    /// <summary>gRPC (HTTP/2 with trailers) to the targets; health checks are gRPC calls.</summary>
    [JsonStringEnumMemberName("GRPC")] Grpc,
}

[JsonConverter(typeof(JsonStringEnumConverter<TargetType>))]
public enum TargetType
{
    /// <summary>Targets are instance ids (<c>i-…</c>); Portolan resolves every instance to this host (<see cref="TargetEntry.Address"/>).</summary>
    [JsonStringEnumMemberName("instance")] Instance,
    /// <summary>Targets are IP addresses.</summary>
    [JsonStringEnumMemberName("ip")] Ip,
}

[JsonConverter(typeof(JsonStringEnumConverter<LoadBalancerScheme>))]
public enum LoadBalancerScheme
{
    [JsonStringEnumMemberName("internet-facing")] InternetFacing,
    [JsonStringEnumMemberName("internal")] Internal,
}

[JsonConverter(typeof(JsonStringEnumConverter<IpAddressType>))]
public enum IpAddressType
{
    [JsonStringEnumMemberName("ipv4")] Ipv4,
    [JsonStringEnumMemberName("dualstack")] Dualstack,
    /// <summary>Target groups only: targets are IPv6 addresses.</summary>
    [JsonStringEnumMemberName("ipv6")] Ipv6,
}

[JsonConverter(typeof(JsonStringEnumConverter<LoadBalancerStateCode>))]
public enum LoadBalancerStateCode
{
    [JsonStringEnumMemberName("active")] Active,
    [JsonStringEnumMemberName("provisioning")] Provisioning,
    /// <summary>Set by the data plane when some listener could not be served (e.g. its port was taken by another program).</summary>
    [JsonStringEnumMemberName("active_impaired")] ActiveImpaired,
    [JsonStringEnumMemberName("failed")] Failed,
}

[JsonConverter(typeof(JsonStringEnumConverter<ActionType>))]
public enum ActionType
{
    [JsonStringEnumMemberName("forward")] Forward,
    [JsonStringEnumMemberName("redirect")] Redirect,
    [JsonStringEnumMemberName("fixed-response")] FixedResponse,
}

[JsonConverter(typeof(JsonStringEnumConverter<ConditionField>))]
public enum ConditionField
{
    [JsonStringEnumMemberName("path-pattern")] PathPattern,
    [JsonStringEnumMemberName("host-header")] HostHeader,
    [JsonStringEnumMemberName("http-header")] HttpHeader,
    [JsonStringEnumMemberName("query-string")] QueryString,
    [JsonStringEnumMemberName("http-request-method")] HttpRequestMethod,
    [JsonStringEnumMemberName("source-ip")] SourceIp,
}

/// <summary>
/// What <c>DescribeTargetHealth</c> reports (AWS's TargetHealthStateEnum). The health engine records only
/// <see cref="Initial"/>, <see cref="Healthy"/> and <see cref="Unhealthy"/>; the others follow from the registry's
/// state (see <see cref="TargetGroupEntry.HealthOf"/>).
/// </summary>
[JsonConverter(typeof(JsonStringEnumConverter<TargetHealthState>))]
public enum TargetHealthState
{
    [JsonStringEnumMemberName("initial")] Initial,
    [JsonStringEnumMemberName("healthy")] Healthy,
    [JsonStringEnumMemberName("unhealthy")] Unhealthy,
    [JsonStringEnumMemberName("unused")] Unused,
    [JsonStringEnumMemberName("draining")] Draining,
    [JsonStringEnumMemberName("unavailable")] Unavailable,
}

/// <summary>AWS's TargetHealthReasonEnum.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<TargetHealthReason>))]
public enum TargetHealthReason
{
    [JsonStringEnumMemberName("Elb.RegistrationInProgress")] RegistrationInProgress,
    [JsonStringEnumMemberName("Elb.InitialHealthChecking")] InitialHealthChecking,
    [JsonStringEnumMemberName("Target.ResponseCodeMismatch")] ResponseCodeMismatch,
    [JsonStringEnumMemberName("Target.Timeout")] Timeout,
    [JsonStringEnumMemberName("Target.FailedHealthChecks")] FailedHealthChecks,
    [JsonStringEnumMemberName("Target.NotRegistered")] NotRegistered,
    [JsonStringEnumMemberName("Target.NotInUse")] NotInUse,
    [JsonStringEnumMemberName("Target.DeregistrationInProgress")] DeregistrationInProgress,
    [JsonStringEnumMemberName("Target.InvalidState")] InvalidState,
    [JsonStringEnumMemberName("Target.IpUnusable")] IpUnusable,
    [JsonStringEnumMemberName("Target.HealthCheckDisabled")] HealthCheckDisabled,
    [JsonStringEnumMemberName("Elb.InternalError")] InternalError,
}
