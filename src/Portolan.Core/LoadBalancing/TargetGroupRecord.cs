using System.Collections.Immutable;
using System.Text.Json.Serialization;

namespace Portolan.Core.LoadBalancing;

/// <summary>
/// What counts as a passing health check: HTTP status codes (HTTP1/HTTP2 target groups, 200–499) or gRPC status
/// codes (GRPC target groups, 0–99). Exactly one is set on HTTP/HTTPS target groups; none on TCP ones.
/// </summary>
public sealed record HealthCheckMatcher(string? HttpCode, string? GrpcCode)
{
    // Parsed once, on first use; not part of the value (see Equals).
    private CodeRanges? _codes;

    /// <summary>Whether a health-check reply with <paramref name="code"/> (HTTP status or grpc-status) passes.</summary>
    public bool Accepts(int code)
    {
        var codes = _codes;
        if (codes is null)
        {
            var (min, max) = GrpcCode is not null ? (0, 99) : (200, 599);
            if (!CodeRanges.TryParse(GrpcCode ?? HttpCode, min, max, out codes)) return false;
            _codes = codes;
        }
        return codes.Contains(code);
    }

    public bool Equals(HealthCheckMatcher? other) =>
        other is not null && HttpCode == other.HttpCode && GrpcCode == other.GrpcCode;

    public override int GetHashCode() => HashCode.Combine(HttpCode, GrpcCode);
}

/// <summary>
/// Health-check settings with AWS's defaults filled in (<see cref="Validation.HealthChecks"/>): interval 30 s,
/// timeout 5 s, 5 healthy / 2 unhealthy, path <c>/</c> (gRPC: <c>/AWS.ALB/healthcheck</c>), matcher 200 (gRPC: 12).
/// A new target must pass one check to become healthy (AWS's rule).
/// </summary>
public sealed record HealthCheckSettings
{
    public const string TrafficPort = "traffic-port";

    public bool Enabled { get; init; } = true;
    public required ElbProtocol Protocol { get; init; }

    /// <summary><c>traffic-port</c> (the target's own port) or a port number.</summary>
    public string Port { get; init; } = TrafficPort;

    /// <summary>HTTP/HTTPS checks only. For gRPC, <c>/package.Service/Method</c>.</summary>
    public string? Path { get; init; }
    public required int IntervalSeconds { get; init; }
    public required int TimeoutSeconds { get; init; }
    public required int HealthyThresholdCount { get; init; }
    public required int UnhealthyThresholdCount { get; init; }
    public HealthCheckMatcher? Matcher { get; init; }

    /// <summary>The port to probe for a target registered on <paramref name="targetPort"/>.</summary>
    public int PortFor(int targetPort) =>
        Port == TrafficPort ? targetPort : int.Parse(Port, System.Globalization.CultureInfo.InvariantCulture);

    [JsonIgnore] public TimeSpan Interval => TimeSpan.FromSeconds(IntervalSeconds);
    [JsonIgnore] public TimeSpan Timeout => TimeSpan.FromSeconds(TimeoutSeconds);
}

/// <summary>
/// A target group as stored. Its targets, their health and the load balancers that use it are in the snapshot's
/// <see cref="TargetGroupEntry"/>; the typed view of <see cref="Attributes"/> is <see cref="TargetGroupEntry.Settings"/>.
/// </summary>
public sealed record TargetGroupRecord
{
    /// <summary>The 16 hex digits that end the ARN (<c>…:targetgroup/echo-grpc/fedcba9876543210</c>).</summary>
    public required string Id { get; init; }
    public required string Arn { get; init; }
    public required string Name { get; init; }
    public required ElbProtocol Protocol { get; init; }

    /// <summary>HTTP/HTTPS target groups only (null otherwise); HTTP1 unless the caller chose HTTP2 or GRPC.</summary>
    public ProtocolVersion? ProtocolVersion { get; init; }

    /// <summary>The port targets receive traffic on unless registered with their own.</summary>
    public required int Port { get; init; }
    public string? VpcId { get; init; }
    public TargetType TargetType { get; init; } = TargetType.Instance;

    /// <summary><see cref="IpAddressType.Ipv4"/> or <see cref="IpAddressType.Ipv6"/>: which addresses ip targets may have.</summary>
    public IpAddressType IpAddressType { get; init; } = IpAddressType.Ipv4;
    public required HealthCheckSettings HealthCheck { get; init; }
    public required DateTimeOffset CreatedTime { get; init; }

    /// <summary>Every attribute with its current value, defaults included (keys in <see cref="TargetGroupAttributes"/>).</summary>
    public ImmutableSortedDictionary<string, string> Attributes { get; init; } = ImmutableSortedDictionary<string, string>.Empty;

    /// <summary>Whether an ALB listener can forward here (HTTP/HTTPS target groups).</summary>
    [JsonIgnore] public bool IsApplication => Protocol is ElbProtocol.Http or ElbProtocol.Https;

    public bool Equals(TargetGroupRecord? other) =>
        other is not null && Id == other.Id && Arn == other.Arn && Name == other.Name && Protocol == other.Protocol
        && ProtocolVersion == other.ProtocolVersion && Port == other.Port && VpcId == other.VpcId && TargetType == other.TargetType
        && IpAddressType == other.IpAddressType && HealthCheck == other.HealthCheck && CreatedTime == other.CreatedTime
        && Structural.Equal(Attributes, other.Attributes);

    public override int GetHashCode() => HashCode.Combine(Id, Name, Port);
}
