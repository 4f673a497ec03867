using System.Collections.Immutable;
using Portolan.Api.Edge;
using Portolan.Core.LoadBalancing;
using Portolan.Core.LoadBalancing.Validation;

namespace Portolan.Api.Elb;

/// <summary>
/// Reads the structured members of ELB requests into the model: actions (both forward forms), conditions (both
/// value forms), targets, health-check settings and attribute lists. Wire-level contradictions are ValidationErrors
/// here; what the values mean is checked by the registry.
/// </summary>
internal static class Requests
{
    public static ImmutableArray<RuleAction> Actions(QueryInput input, string key) =>
        [.. input.Structs(key, p => Action(input, p))];

    private static RuleAction Action(QueryInput input, string p)
    {
        var typeName = input.Str(p + ".Type");
        if (typeName is "authenticate-oidc" or "authenticate-cognito")
            throw new AwsServiceException(ElbErrors.InvalidLoadBalancerAction, $"Portolan has no identity provider; '{typeName}' actions are not supported");
        var type = input.Enum<ActionType>(p + ".Type") ?? throw input.Missing(p + ".Type");
        var action = new RuleAction { Type = type, Order = input.Int(p + ".Order") };
        return type switch
        {
            ActionType.Forward => action with { Forward = Forward(input, p) },
            ActionType.Redirect => action with { Redirect = Redirect(input, p + ".RedirectConfig") },
            _ => action with { FixedResponse = FixedResponse(input, p + ".FixedResponseConfig") },
        };
    }

    private static ForwardConfig? Forward(QueryInput input, string p)
    {
        var single = input.Str(p + ".TargetGroupArn");
        var groups = input.Structs(p + ".ForwardConfig.TargetGroups", g =>
            new WeightedTargetGroup(input.Str(g + ".TargetGroupArn") ?? throw input.Missing(g + ".TargetGroupArn"), input.Int(g + ".Weight") ?? 1));
        var sticky = p + ".ForwardConfig.TargetGroupStickinessConfig";
        var stickiness = new TargetGroupStickiness(input.Bool(sticky + ".Enabled") ?? false, input.Int(sticky + ".DurationSeconds"));
        if (groups.Count == 0)
        {
            return single is null ? null : new ForwardConfig([new WeightedTargetGroup(single, 1)], stickiness);
        }
        // Both forms at once must agree (ELB allows TargetGroupArn beside a ForwardConfig of that one group).
        if (single is not null && (groups.Count != 1 || groups[0].TargetGroupArn != single))
            throw Errors.Validation("You cannot specify both a target group ARN and a forward config with different target groups");
        return new ForwardConfig([.. groups], stickiness);
    }

    private static RedirectConfig? Redirect(QueryInput input, string p)
    {
        if (!input.Has(p)) return null;
        var status = input.Str(p + ".StatusCode") switch
        {
            "HTTP_301" => 301,
            "HTTP_302" => 302,
            null => throw input.Missing(p + ".StatusCode"),
            var s => throw Errors.Validation($"Redirect status code '{s}' must be HTTP_301 or HTTP_302"),
        };
        var defaults = new RedirectConfig { StatusCode = status };
        return defaults with
        {
            Protocol = input.Str(p + ".Protocol") ?? defaults.Protocol,
            Port = input.Str(p + ".Port") ?? defaults.Port,
            Host = input.Str(p + ".Host") ?? defaults.Host,
            Path = input.Str(p + ".Path") ?? defaults.Path,
            Query = input.Str(p + ".Query") ?? defaults.Query,
        };
    }

    private static FixedResponseConfig? FixedResponse(QueryInput input, string p)
    {
        if (!input.Has(p)) return null;
        var status = input.Required(p + ".StatusCode");
        if (status.Length != 3 || !int.TryParse(status, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var code))
            throw Errors.Validation($"Fixed response status code '{status}' must be 2XX, 4XX or 5XX");
        return new FixedResponseConfig(code, input.Str(p + ".ContentType"), input.Str(p + ".MessageBody"));
    }

    public static ImmutableArray<RuleCondition> Conditions(QueryInput input, string key) =>
        [.. input.Structs(key, p => Condition(input, p))];

    private static readonly (ConditionField Field, string Config)[] Configs =
    [
        (ConditionField.HostHeader, "HostHeaderConfig"),
        (ConditionField.PathPattern, "PathPatternConfig"),
        (ConditionField.HttpHeader, "HttpHeaderConfig"),
        (ConditionField.QueryString, "QueryStringConfig"),
        (ConditionField.HttpRequestMethod, "HttpRequestMethodConfig"),
        (ConditionField.SourceIp, "SourceIpConfig"),
    ];

    private static RuleCondition Condition(QueryInput input, string p)
    {
        var fieldName = input.Str(p + ".Field") ?? throw input.Missing(p + ".Field");
        if (!WireNames.TryParse<ConditionField>(fieldName, out var field))
            throw Errors.Validation($"Condition field '{fieldName}' must be one of [{string.Join(", ", WireNames.All<ConditionField>())}]");
        var config = Configs.First(c => c.Field == field).Config;
        foreach (var (other, otherConfig) in Configs)
        {
            if (other != field && input.Has(p + "." + otherConfig))
                throw Errors.Validation($"A '{fieldName}' condition cannot have a {otherConfig}");
        }
        var legacy = input.Has(p + ".Values");
        var configured = input.Has(p + "." + config);
        if (legacy && configured) throw Errors.Validation($"You cannot specify both Values and {config} in a '{fieldName}' condition");
        if (legacy && field is not (ConditionField.PathPattern or ConditionField.HostHeader))
            throw Errors.Validation($"The Values member is for path-pattern and host-header conditions; use {config} for '{fieldName}'");

        var c = p + "." + config;
        return field switch
        {
            ConditionField.QueryString => new RuleCondition
            {
                Field = field,
                QueryStrings = [.. input.Structs(c + ".Values", q => new QueryStringPair(input.Str(q + ".Key"), input.Str(q + ".Value") ?? ""))],
            },
            ConditionField.HttpHeader => new RuleCondition { Field = field, HttpHeaderName = input.Str(c + ".HttpHeaderName"), Values = [.. input.List(c + ".Values")] },
            _ => new RuleCondition { Field = field, Values = [.. input.List(legacy ? p + ".Values" : c + ".Values")] },
        };
    }

    public static List<TargetDescription> Targets(QueryInput input, string key) =>
        input.Structs(key, p => new TargetDescription(input.Str(p + ".Id"), input.Int(p + ".Port"), input.Str(p + ".AvailabilityZone")));

    public static HealthCheckInput HealthCheck(QueryInput input)
    {
        var matcher = input.Has("Matcher") ? new HealthCheckMatcher(input.Str("Matcher.HttpCode"), input.Str("Matcher.GrpcCode")) : null;
        return new HealthCheckInput
        {
            Protocol = input.Enum<ElbProtocol>("HealthCheckProtocol"),
            Port = input.Str("HealthCheckPort"),
            Enabled = input.Bool("HealthCheckEnabled"),
            Path = input.Str("HealthCheckPath"),
            IntervalSeconds = input.Int("HealthCheckIntervalSeconds"),
            TimeoutSeconds = input.Int("HealthCheckTimeoutSeconds"),
            HealthyThresholdCount = input.Int("HealthyThresholdCount"),
            UnhealthyThresholdCount = input.Int("UnhealthyThresholdCount"),
            Matcher = matcher,
        };
    }

    public static List<KeyValuePair<string, string?>> Attributes(QueryInput input) =>
        input.Structs("Attributes", p => KeyValuePair.Create(input.Str(p + ".Key") ?? "", input.Str(p + ".Value")));

    /// <summary>A required structure member that is absent.</summary>
    public static AwsServiceException Missing(this QueryInput input, string key)
    {
        _ = input;
        var last = key[(key.LastIndexOf('.') + 1)..];
        return Errors.Validation($"1 validation error detected: Value null at '{char.ToLowerInvariant(last[0]) + last[1..]}' failed to satisfy constraint: Member must not be null");
    }
}
