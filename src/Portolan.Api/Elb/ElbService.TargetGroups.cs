using Portolan.Api.Edge;
using Portolan.Core.LoadBalancing;

namespace Portolan.Api.Elb;

internal sealed partial class ElbService
{
    private async ValueTask CreateTargetGroup(QueryInput i, QueryXml x, CancellationToken ct)
    {
        var targetType = i.Str("TargetType");
        if (targetType is "lambda" or "alb")
            throw Errors.Validation($"Target type '{targetType}' is not supported: Portolan's target groups take 'ip' or 'instance' targets");
        var tg = await _registry.CreateTargetGroupAsync(new CreateTargetGroupCommand
        {
            Name = i.Required("Name"),
            Protocol = i.Enum<ElbProtocol>("Protocol"),
            ProtocolVersion = i.Enum<ProtocolVersion>("ProtocolVersion"),
            Port = i.Int("Port"),
            VpcId = i.Str("VpcId"),
            TargetType = i.Enum<TargetType>("TargetType") ?? TargetType.Instance,
            IpAddressType = i.Enum<IpAddressType>("IpAddressType") ?? IpAddressType.Ipv4,
            HealthCheck = Requests.HealthCheck(i),
            Tags = i.Tags("Tags"),
        }, ct);
        var entry = Current.FindTargetGroup(tg.Arn);
        x.List("TargetGroups", [tg], (x, tg) => ElbWriter.TargetGroup(x, tg, entry?.LoadBalancerArns ?? []));
    }

    private ValueTask DescribeTargetGroups(QueryInput i, QueryXml x)
    {
        var s = Current;
        var lbArn = i.Str("LoadBalancerArn");
        var arns = i.List("TargetGroupArns");
        var names = i.List("Names");
        if ((lbArn is null ? 0 : 1) + (arns.Count > 0 ? 1 : 0) + (names.Count > 0 ? 1 : 0) > 1)
            throw Errors.Validation("Only one of LoadBalancerArn, TargetGroupArns and Names can be specified");
        IEnumerable<TargetGroupEntry> all;
        if (lbArn is not null)
        {
            var lb = Require(s, lbArn);
            all = s.TargetGroups.Values.Where(tg => tg.LoadBalancerArns.Contains(lb.Arn));
        }
        else if (arns.Count > 0)
        {
            all = arns.Distinct(StringComparer.Ordinal).Select(a => RequireTargetGroup(s, a)).ToList();
        }
        else if (names.Count > 0)
        {
            var missing = names.Where(n => s.FindTargetGroupByName(n) is null).ToList();
            if (missing.Count > 0) throw new AwsServiceException(ElbErrors.TargetGroupNotFound, $"Target groups '[{string.Join(", ", missing)}]' not found");
            all = names.Select(n => s.FindTargetGroupByName(n)!).DistinctBy(tg => tg.Id).ToList();
        }
        else
        {
            all = s.TargetGroups.Values;
        }

        var (page, next) = Paging.Page(all, tg => tg.Record.Name, i);
        x.List("TargetGroups", page, ElbWriter.TargetGroup);
        x.Text("NextMarker", next);
        return ValueTask.CompletedTask;
    }

    private async ValueTask ModifyTargetGroup(QueryInput i, QueryXml x, CancellationToken ct)
    {
        var tg = await _registry.ModifyTargetGroupAsync(i.Required("TargetGroupArn"), Requests.HealthCheck(i), ct);
        x.List("TargetGroups", [Current.FindTargetGroup(tg.Arn)!], ElbWriter.TargetGroup);
    }

    private ValueTask DescribeTargetGroupAttributes(QueryInput i, QueryXml x)
    {
        ElbWriter.Attributes(x, RequireTargetGroup(Current, i.Required("TargetGroupArn")).Record.Attributes);
        return ValueTask.CompletedTask;
    }

    private async ValueTask ModifyTargetGroupAttributes(QueryInput i, QueryXml x, CancellationToken ct)
    {
        var arn = i.Required("TargetGroupArn");
        ElbWriter.Attributes(x, await _registry.ModifyTargetGroupAttributesAsync(arn, Requests.Attributes(i), ct));
    }

    private async ValueTask DeleteTargetGroup(QueryInput i, CancellationToken ct) =>
        await _registry.DeleteTargetGroupAsync(i.Required("TargetGroupArn"), ct);

    private async ValueTask RegisterTargets(QueryInput i, CancellationToken ct)
    {
        var arn = i.Required("TargetGroupArn");
        await _registry.RegisterTargetsAsync(arn, Requests.Targets(i, "Targets"), ct);
    }

    private async ValueTask DeregisterTargets(QueryInput i, CancellationToken ct)
    {
        var arn = i.Required("TargetGroupArn");
        await _registry.DeregisterTargetsAsync(arn, Requests.Targets(i, "Targets"), ct);
    }

    /// <summary>
    /// Every registered target with its health, or the targets asked for: one not registered is reported
    /// <c>unused</c>/<c>Target.NotRegistered</c>, as ELB does; an id without a port means every port it is registered on.
    /// </summary>
    private ValueTask DescribeTargetHealth(QueryInput i, QueryXml x)
    {
        var tg = RequireTargetGroup(Current, i.Required("TargetGroupArn"));
        var asked = Requests.Targets(i, "Targets");
        var rows = new List<(TargetEntry? Target, TargetKey Key, string? Zone, TargetHealth Health)>();
        if (asked.Count == 0)
        {
            foreach (var t in tg.Targets.Values) rows.Add((t, t.Key, t.Record.AvailabilityZone, HealthOf(tg, t)));
        }
        foreach (var a in asked)
        {
            var key = Core.LoadBalancing.Validation.Targets.Key(tg.Record, a);
            var matches = a.Port is null
                ? tg.Targets.Values.Where(t => t.Key.Id == key.Id).ToList()
                : tg.Targets.TryGetValue(key, out var one) ? [one] : [];
            if (matches.Count == 0)
            {
                rows.Add((null, key, a.AvailabilityZone,
                    new TargetHealth(TargetHealthState.Unused, TargetHealthReason.NotRegistered, "Target is not registered to the target group")));
            }
            foreach (var t in matches) rows.Add((t, t.Key, t.Record.AvailabilityZone, HealthOf(tg, t)));
        }

        x.List("TargetHealthDescriptions", rows, (x, row) =>
        {
            x.Open("Target");
            x.Text("Id", row.Key.Id);
            x.Number("Port", row.Key.Port);
            x.Text("AvailabilityZone", row.Zone);
            x.Close("Target");
            x.Text("HealthCheckPort", tg.Record.HealthCheck.PortFor(row.Key.Port).ToString(System.Globalization.CultureInfo.InvariantCulture));
            x.Open("TargetHealth");
            x.Text("State", WireNames.Of(row.Health.State));
            if (row.Health.Reason is { } reason) x.Text("Reason", WireNames.Of(reason));
            x.Text("Description", row.Health.Description);
            x.Close("TargetHealth");
        });
        return ValueTask.CompletedTask;
    }

    /// <summary>
    /// The registry's view of a target's health, with AWS's reason for a target the health checker already has but
    /// has not judged yet: <c>Elb.InitialHealthChecking</c> rather than <c>Elb.RegistrationInProgress</c>.
    /// </summary>
    private TargetHealth HealthOf(TargetGroupEntry tg, TargetEntry target)
    {
        var health = tg.HealthOf(target);
        return health is { State: TargetHealthState.Initial, Reason: TargetHealthReason.RegistrationInProgress } && _healthChecks?.IsChecking(tg, target) == true
            ? new TargetHealth(TargetHealthState.Initial, TargetHealthReason.InitialHealthChecking, "Initial health checks in progress")
            : health;
    }

    private static TargetGroupEntry RequireTargetGroup(LoadBalancingSnapshot s, string arn)
    {
        if (!ElbArns.IsWellFormed(arn, ElbResourceKind.TargetGroup)) throw Errors.Validation($"'{arn}' is not a valid target group ARN");
        return s.FindTargetGroup(arn) ?? throw new AwsServiceException(ElbErrors.TargetGroupNotFound, "One or more target groups not found");
    }
}
