using System.Globalization;

namespace Portolan.Core.LoadBalancing.Validation;

/// <summary>The health-check members of CreateTargetGroup/ModifyTargetGroup; null = not given.</summary>
public sealed record HealthCheckInput
{
    public ElbProtocol? Protocol { get; init; }
    public string? Port { get; init; }
    public bool? Enabled { get; init; }
    public string? Path { get; init; }
    public int? IntervalSeconds { get; init; }
    public int? TimeoutSeconds { get; init; }
    public int? HealthyThresholdCount { get; init; }
    public int? UnhealthyThresholdCount { get; init; }
    public HealthCheckMatcher? Matcher { get; init; }
}

/// <summary>
/// AWS's health-check defaults and rules (AWS-BEHAVIOUR.md §2). Application target groups (HTTP/HTTPS): checks over
/// HTTP or HTTPS (the group's protocol by default), interval 30 s (5–300), timeout 5 s (2–120, below the interval),
/// thresholds 5 healthy / 2 unhealthy (2–10), path <c>/</c> and HttpCode 200 (200–499), or for GRPC path
/// <c>/AWS.ALB/healthcheck</c> and GrpcCode 12 (0–99). Network target groups: TCP checks by default (or HTTP/HTTPS
/// with HttpCode 200–599, default 200-399), timeout 10 s.
/// </summary>
public static class HealthChecks
{
    public const string GrpcDefaultPath = "/AWS.ALB/healthcheck";

    public static HealthCheckSettings Create(HealthCheckInput input, ElbProtocol protocol, ProtocolVersion? version, bool strict)
    {
        var application = protocol is ElbProtocol.Http or ElbProtocol.Https;
        var checkProtocol = input.Protocol ?? (application ? protocol : ElbProtocol.Tcp);
        var defaults = new HealthCheckSettings
        {
            Protocol = checkProtocol,
            IntervalSeconds = 30,
            TimeoutSeconds = application ? 5 : 10,
            HealthyThresholdCount = 5,
            UnhealthyThresholdCount = 2,
        };
        return Apply(defaults, input, protocol, version, strict);
    }

    public static HealthCheckSettings Modify(HealthCheckSettings current, HealthCheckInput input, ElbProtocol protocol, ProtocolVersion? version, bool strict)
    {
        // A change of check protocol between TCP and HTTP(S) brings in (or drops) the HTTP-only members.
        if (input.Protocol is { } p && (p == ElbProtocol.Tcp) != (current.Protocol == ElbProtocol.Tcp))
            current = current with { Protocol = p, Path = null, Matcher = null };
        return Apply(current, input, protocol, version, strict);
    }

    private static HealthCheckSettings Apply(HealthCheckSettings s, HealthCheckInput input, ElbProtocol protocol, ProtocolVersion? version, bool strict)
    {
        var application = protocol is ElbProtocol.Http or ElbProtocol.Https;
        var grpc = version == ProtocolVersion.Grpc;
        var checkProtocol = input.Protocol ?? s.Protocol;
        if (checkProtocol is not (ElbProtocol.Http or ElbProtocol.Https or ElbProtocol.Tcp))
            throw ElbErrors.Validation($"Health check protocol '{WireNames.Of(checkProtocol)}' is not supported; use HTTP, HTTPS or TCP");
        if (application && checkProtocol == ElbProtocol.Tcp)
            throw ElbErrors.Validation("Health check protocol 'TCP' is not supported for target groups with the HTTP or HTTPS protocol");
        var http = checkProtocol != ElbProtocol.Tcp;

        if (input.Enabled == false && strict)
            throw ElbErrors.InvalidConfiguration("Health checks cannot be disabled for target groups with target type 'instance' or 'ip'");

        var port = input.Port ?? s.Port;
        if (port != HealthCheckSettings.TrafficPort && !AttributeRule.IsInt(port, 1, 65535))
            throw ElbErrors.Validation($"Health check port '{port}' must be 'traffic-port' or a port between 1 and 65535");

        var path = input.Path ?? s.Path;
        if (!http && input.Path is not null) throw ElbErrors.Validation("A health check path can only be specified for HTTP and HTTPS health checks");
        if (http)
        {
            path ??= grpc ? GrpcDefaultPath : "/";
            if (path.Length is < 1 or > 1024 || path[0] != '/') throw ElbErrors.Validation($"Health check path '{path}' must start with '/' and be at most 1024 characters");
        }

        var interval = input.IntervalSeconds ?? s.IntervalSeconds;
        var timeout = input.TimeoutSeconds ?? s.TimeoutSeconds;
        Range("Health check interval", interval, 5, 300);
        Range("Health check timeout", timeout, 2, 120);
        if (timeout >= interval)
            throw ElbErrors.Validation($"Health check timeout '{timeout}' must be smaller than the interval '{interval}'");
        var healthy = input.HealthyThresholdCount ?? s.HealthyThresholdCount;
        var unhealthy = input.UnhealthyThresholdCount ?? s.UnhealthyThresholdCount;
        Range("Healthy threshold count", healthy, 2, 10);
        Range("Unhealthy threshold count", unhealthy, 2, 10);

        return s with
        {
            Enabled = input.Enabled ?? s.Enabled,
            Protocol = checkProtocol,
            Port = port,
            Path = http ? path : null,
            IntervalSeconds = interval,
            TimeoutSeconds = timeout,
            HealthyThresholdCount = healthy,
            UnhealthyThresholdCount = unhealthy,
            Matcher = http ? Matcher(input.Matcher ?? s.Matcher, application, grpc) : null,
        };
    }

    private static HealthCheckMatcher Matcher(HealthCheckMatcher? given, bool application, bool grpc)
    {
        if (grpc)
        {
            if (given?.HttpCode is not null) throw ElbErrors.Validation("An HttpCode matcher cannot be used with the GRPC protocol version; use GrpcCode");
            var code = given?.GrpcCode ?? "12";
            if (!CodeRanges.TryParse(code, 0, 99, out _)) throw ElbErrors.Validation($"GrpcCode '{code}' must be codes or ranges between 0 and 99 (e.g. 0, 0,12 or 0-99)");
            return new HealthCheckMatcher(null, code);
        }
        if (given?.GrpcCode is not null) throw ElbErrors.Validation("A GrpcCode matcher can only be used with the GRPC protocol version");
        var (max, fallback) = application ? (499, "200") : (599, "200-399");
        var http = given?.HttpCode ?? fallback;
        if (!CodeRanges.TryParse(http, 200, max, out _))
            throw ElbErrors.Validation($"HttpCode '{http}' must be codes or ranges between 200 and {max} (e.g. 200, 200,202 or 200-299)");
        return new HealthCheckMatcher(http, null);
    }

    private static void Range(string what, int value, int min, int max)
    {
        if (value < min || value > max)
            throw ElbErrors.Validation($"{what} '{value.ToString(CultureInfo.InvariantCulture)}' must be between {min} and {max}");
    }
}
