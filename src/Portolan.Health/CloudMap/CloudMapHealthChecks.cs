using System.Globalization;
using Microsoft.Extensions.Options;
using Portolan.Core.Discovery;
using Portolan.Core.Registry;
using Portolan.Core.Snapshots;
using Portolan.Health.Matching;
using Portolan.Health.Reporting;
using Portolan.Health.Subjects;
using Portolan.Health.Thresholds;

namespace Portolan.Health.CloudMap;

/// <summary>
/// Cloud Map's active health checks (HealthCheckConfig) as the engine's subjects. Route 53's rules: the instance's
/// AWS_INSTANCE_IPV4 (else IPv6) and AWS_INSTANCE_PORT are probed; HTTP and HTTPS pass on any 2xx or 3xx, TCP on a
/// completed connect; FailureThreshold consecutive results flip the status either way; a new instance starts
/// HEALTHY. Crossings become HEALTHY/UNHEALTHY records through <see cref="DiscoveryRegistry"/>, which DNS,
/// DiscoverInstances and GetInstancesHealthStatus read. AWS allows HealthCheckConfig only in public DNS and HTTP
/// namespaces; Portolan probes private DNS namespaces too unless --strict-aws (documented extension).
/// Services with HealthCheckCustomConfig are not probed: UpdateInstanceCustomHealthStatus sets their health.
/// </summary>
public sealed class CloudMapHealthChecks(DiscoveryRegistry registry, IOptions<HealthOptions> options) : IHealthSubjectAdapter
{
    /// <summary>What Route 53's checkers announce themselves as, with Portolan's name so target logs tell them apart.</summary>
    public const string UserAgent = "Amazon-Route53-Health-Check-Service (Portolan)";

    private readonly HealthOptions _options = options.Value;
    private readonly bool _strictAws = registry.Options.StrictAws;

    // Per service: the subjects built from one (record, instances, health) triple, reused while all three are the same objects.
    private readonly Dictionary<string, Built> _built = new(StringComparer.Ordinal);

    public SubjectKind Kind => SubjectKind.CloudMapInstance;

    public void Collect(RegistrySnapshot snapshot, List<HealthSubject> into)
    {
        List<string>? stale = null;
        foreach (var id in _built.Keys)
        {
            if (!snapshot.Services.ContainsKey(id)) (stale ??= []).Add(id);
        }
        foreach (var id in stale ?? []) _built.Remove(id);

        foreach (var service in snapshot.Services.Values)
        {
            if (service.Record.HealthCheckConfig is null || !snapshot.Namespaces.TryGetValue(service.Record.NamespaceId, out var ns)) continue;
            if (_strictAws && ns.Record.Type == NamespaceType.DnsPrivate) continue;
            if (!_built.TryGetValue(service.Id, out var built) || !built.IsFor(service))
            {
                built = new Built(service, Build(service));
                _built[service.Id] = built;
            }
            into.AddRange(built.Subjects);
        }
    }

    private HealthSubject[] Build(ServiceEntry service)
    {
        var check = service.Record.HealthCheckConfig!;
        var interval = Interval(service.Record);
        var timeout = _options.CloudMapTimeout < interval ? _options.CloudMapTimeout : interval;
        var policy = new HealthPolicy(interval, check.FailureThreshold, check.FailureThreshold, InitialHealthyThreshold: 1);
        var subjects = new List<HealthSubject>(service.Instances.Count);
        foreach (var instance in service.Instances.Values)
        {
            var a = instance.Record.Attributes;
            if (a.ContainsKey(ReservedAttributes.AliasDnsName)) continue; // AWS doesn't attach the check to alias records
            var host = a.GetValueOrDefault(ReservedAttributes.InstanceIpv4) ?? a.GetValueOrDefault(ReservedAttributes.InstanceIpv6) ?? "";
            _ = int.TryParse(a.GetValueOrDefault(ReservedAttributes.InstancePort), NumberStyles.None, CultureInfo.InvariantCulture, out var port);
            var spec = check.Type switch
            {
                HealthCheckType.Tcp => new ProbeSpec(ProbeProtocol.Tcp, false, host, port, null, null, timeout),
                var t => new ProbeSpec(ProbeProtocol.Http1, t == HealthCheckType.Https, host, port, check.ResourcePath ?? "/", CodeMatcher.Http2xx3xx, timeout, UserAgent),
            };
            // Registration records HEALTHY; an instance without a record (its service gained the check through
            // UpdateService) starts undecided so its first result is written.
            var start = !service.Health.TryGetValue(instance.Id, out var h) ? HealthState.Initial
                : h.Status == HealthStatus.Unhealthy ? HealthState.Unhealthy : HealthState.Healthy;
            subjects.Add(new HealthSubject(new SubjectKey(SubjectKind.CloudMapInstance, service.Id, instance.Id), spec, policy, instance.ModRevision, start));
        }
        return [.. subjects];
    }

    /// <summary>The service attribute <see cref="HealthOptions.CloudMapIntervalAttribute"/> (1-300 s) if valid, else the engine-wide interval.</summary>
    private TimeSpan Interval(ServiceRecord service) =>
        service.Attributes.TryGetValue(HealthOptions.CloudMapIntervalAttribute, out var text)
        && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) && seconds is >= 1 and <= 300
            ? TimeSpan.FromSeconds(seconds)
            : _options.CloudMapInterval;

    public async Task WriteAsync(IReadOnlyList<HealthCrossing> crossings, CancellationToken cancellationToken)
    {
        var updates = new List<InstanceHealthUpdate>(crossings.Count);
        foreach (var c in crossings)
        {
            if (c.To == HealthState.Initial) continue;
            updates.Add(new InstanceHealthUpdate(c.Key.Group, c.Key.Id, c.Generation,
                c.To == HealthState.Healthy ? HealthStatus.Healthy : HealthStatus.Unhealthy, c.ReasonText ?? "Health checks passed"));
        }
        if (updates.Count > 0) await registry.SetInstancesHealthAsync(updates, cancellationToken);
    }

    private sealed record Built(ServiceEntry Entry, HealthSubject[] Subjects)
    {
        public bool IsFor(ServiceEntry service) =>
            ReferenceEquals(Entry.Record, service.Record) && ReferenceEquals(Entry.Instances, service.Instances) && ReferenceEquals(Entry.Health, service.Health);
    }
}
