using Portolan.Core.LoadBalancing;
using Portolan.Core.Snapshots;
using Portolan.Health.Matching;
using Portolan.Health.Reporting;
using Portolan.Health.Subjects;
using Portolan.Health.Thresholds;

namespace Portolan.Health.TargetGroups;

/// <summary>
/// Load-balancer target groups as the engine's subjects, with ALB's rules: every registered, non-draining target of
/// a group that a load balancer uses and whose health checks are on is probed on its health-check port
/// (traffic-port = the target's own) with the group's protocol — HTTP/1.1, HTTP/2 (h2c on HTTP groups, h2 on HTTPS)
/// or a gRPC call for GRPC groups — path, matcher, interval, timeout and thresholds. A new target starts
/// <c>initial</c> and is healthy after one passed check. Draining, unused and unavailable targets are not probed:
/// <see cref="TargetGroupEntry.HealthOf"/> derives those states from the registry. Crossings are written through
/// <see cref="LoadBalancingRegistry.SetTargetHealthAsync"/> with AWS's reason code and the probe's detail.
/// </summary>
public sealed class TargetGroupHealthChecks(LoadBalancingRegistry registry) : IHealthSubjectAdapter
{
    /// <summary>The User-Agent ALB's health checker sends.</summary>
    public const string UserAgent = "ELB-HealthChecker/2.0";

    // Per target group: the subjects built from one (record, targets, load balancers) triple, reused while unchanged.
    private readonly Dictionary<string, Built> _built = new(StringComparer.Ordinal);

    public SubjectKind Kind => SubjectKind.Target;

    public void Collect(RegistrySnapshot snapshot, List<HealthSubject> into)
    {
        var groups = snapshot.LoadBalancing.TargetGroups;
        List<string>? stale = null;
        foreach (var id in _built.Keys)
        {
            if (!groups.ContainsKey(id)) (stale ??= []).Add(id);
        }
        foreach (var id in stale ?? []) _built.Remove(id);

        foreach (var group in groups.Values)
        {
            if (!group.InUse || !group.Record.HealthCheck.Enabled) continue;
            if (!_built.TryGetValue(group.Id, out var built) || !built.IsFor(group))
            {
                built = new Built(group, Build(group));
                _built[group.Id] = built;
            }
            into.AddRange(built.Subjects);
        }
    }

    private static HealthSubject[] Build(TargetGroupEntry group)
    {
        var check = group.Record.HealthCheck;
        var grpc = group.Record.ProtocolVersion == ProtocolVersion.Grpc;
        var protocol = check.Protocol switch
        {
            ElbProtocol.Tcp or ElbProtocol.Tls or ElbProtocol.TcpUdp => ProbeProtocol.Tcp,
            _ when grpc => ProbeProtocol.Grpc,
            _ when group.Record.ProtocolVersion == ProtocolVersion.Http2 => ProbeProtocol.Http2,
            _ => ProbeProtocol.Http1,
        };
        var tls = check.Protocol == ElbProtocol.Https;
        var matcher = Matcher(check.Matcher, grpc);
        var path = protocol == ProbeProtocol.Tcp ? null : check.Path ?? (grpc ? "/AWS.ALB/healthcheck" : "/");
        var policy = new HealthPolicy(check.Interval, check.HealthyThresholdCount, check.UnhealthyThresholdCount, InitialHealthyThreshold: 1);

        var subjects = new List<HealthSubject>(group.Targets.Count);
        foreach (var target in group.Targets.Values)
        {
            if (target.Record.IsDraining) continue;
            var spec = new ProbeSpec(protocol, tls, target.EndPoint.Address.ToString(), check.PortFor(target.Record.Port), path, matcher, check.Timeout, UserAgent);
            var start = target.Health?.State switch
            {
                TargetHealthState.Healthy => HealthState.Healthy,
                TargetHealthState.Unhealthy => HealthState.Unhealthy,
                _ => HealthState.Initial,
            };
            subjects.Add(new HealthSubject(KeyOf(group, target.Key), spec, policy, target.ModRevision, start));
        }
        return [.. subjects];
    }

    /// <summary>The subject key of a target: kind Target, group = the target group's ARN, id = <c>id:port</c>.</summary>
    public static SubjectKey KeyOf(TargetGroupEntry group, TargetKey target) => new(SubjectKind.Target, group.Arn, target.ToString());

    private static CodeMatcher Matcher(HealthCheckMatcher? matcher, bool grpc)
    {
        // The registry validated the text; the defaults are AWS's (200, or 12 for gRPC).
        var text = grpc ? matcher?.GrpcCode : matcher?.HttpCode;
        return text is not null && CodeMatcher.TryParse(text, 0, 599, out var parsed, out _) ? parsed
            : grpc ? CodeMatcher.GrpcUnimplemented : CodeMatcher.Http200;
    }

    public async Task WriteAsync(IReadOnlyList<HealthCrossing> crossings, CancellationToken cancellationToken)
    {
        var snapshot = registry.Current;
        var writes = new List<Task>(crossings.Count);
        foreach (var c in crossings)
        {
            var colon = c.Key.Id.LastIndexOf(':');
            if (colon < 0 || !int.TryParse(c.Key.Id.AsSpan(colon + 1), out var port)) continue;
            var target = new TargetKey(c.Key.Id[..colon], port);
            // A crossing for an earlier registration of the same target is dropped.
            if (snapshot.FindTargetGroup(c.Key.Group) is not { } group || !group.Targets.TryGetValue(target, out var entry) || entry.ModRevision != c.Generation) continue;
            var state = c.To switch
            {
                HealthState.Healthy => TargetHealthState.Healthy,
                HealthState.Unhealthy => TargetHealthState.Unhealthy,
                _ => TargetHealthState.Initial,
            };
            // One transaction per target (the registry's entry point); issued together, the store commits them as a group.
            writes.Add(registry.SetTargetHealthAsync(c.Key.Group, target, state, ReasonOf(c.Reason), c.Reason?.Description, cancellationToken));
        }
        await Task.WhenAll(writes);
    }

    private static TargetHealthReason? ReasonOf(HealthReason? reason) => reason?.Code switch
    {
        null => null,
        HealthReason.InitialHealthChecking => TargetHealthReason.InitialHealthChecking,
        HealthReason.ResponseCodeMismatch => TargetHealthReason.ResponseCodeMismatch,
        HealthReason.Timeout => TargetHealthReason.Timeout,
        _ => TargetHealthReason.FailedHealthChecks,
    };

    private sealed record Built(TargetGroupEntry Entry, HealthSubject[] Subjects)
    {
        public bool IsFor(TargetGroupEntry group) =>
            ReferenceEquals(Entry.Record, group.Record) && ReferenceEquals(Entry.Targets, group.Targets) && ReferenceEquals(Entry.LoadBalancerArns, group.LoadBalancerArns);
    }
}
