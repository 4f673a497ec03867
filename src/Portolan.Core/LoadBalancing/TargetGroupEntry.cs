using System.Collections.Immutable;
using System.Net;

namespace Portolan.Core.LoadBalancing;

/// <summary>A registered target in a snapshot: its record, the health engine's last verdict, and where to reach it.</summary>
public sealed record TargetEntry(TargetRecord Record, long ModRevision, TargetHealthRecord? Health)
{
    public TargetKey Key => Record.Key;

    /// <summary>
    /// Where the target listens: the IP of an ip target; for an instance target, this host's loopback (Portolan's
    /// convention: one host, every instance id is this host).
    /// </summary>
    public IPEndPoint EndPoint { get; } = new(IPAddress.TryParse(Record.Id, out var ip) ? ip : IPAddress.Loopback, Record.Port);
}

/// <summary>
/// A target group in a snapshot: its record, typed <see cref="Settings"/>, its targets (draining ones included, in
/// id/port order) and the ARNs of the load balancers whose listeners or rules forward to it.
/// </summary>
public sealed record TargetGroupEntry
{
    public required TargetGroupRecord Record { get; init; }
    public required long CreateRevision { get; init; }
    public required long ModRevision { get; init; }
    public ImmutableSortedDictionary<TargetKey, TargetEntry> Targets { get; init; } = ImmutableSortedDictionary<TargetKey, TargetEntry>.Empty;
    public ImmutableSortedSet<string> LoadBalancerArns { get; init; } = ImmutableSortedSet.Create<string>(StringComparer.Ordinal);

    /// <summary>Revision of the group's registration key, touched by every (de)registration; 0 before the first.</summary>
    internal long TargetsKeyRevision { get; init; }

    public string Id => Record.Id;
    public string Arn => Record.Arn;

    /// <summary>Whether a load balancer uses the group; an unused group's targets are <c>unused</c> and drain at once.</summary>
    public bool InUse => !LoadBalancerArns.IsEmpty;

    /// <summary>The group's attributes, typed (parsed once per record).</summary>
    public TargetGroupSettings Settings
    {
        get
        {
            // Cached with the record it was parsed from, so a copy made by `with { Record = … }` never serves stale settings.
            var cached = Volatile.Read(ref _settings);
            if (cached is not null && ReferenceEquals(cached.For, Record)) return cached.Settings;
            cached = new SettingsCache(Record, new TargetGroupSettings(Record.Attributes));
            Volatile.Write(ref _settings, cached);
            return cached.Settings;
        }
    }

    private SettingsCache? _settings;

    private sealed record SettingsCache(TargetGroupRecord For, TargetGroupSettings Settings);

    /// <summary>
    /// A target's health as DescribeTargetHealth reports it: draining (deregistered, until its deadline), unused (no
    /// load balancer uses the group), unavailable (health checks off), else the health engine's verdict, and
    /// initial/Elb.RegistrationInProgress until the first one.
    /// </summary>
    public TargetHealth HealthOf(TargetEntry target)
    {
        if (target.Record.IsDraining)
            return new(TargetHealthState.Draining, TargetHealthReason.DeregistrationInProgress, "Target deregistration is in progress");
        if (!InUse)
            return new(TargetHealthState.Unused, TargetHealthReason.NotInUse, "Target group is not configured to receive traffic from the load balancer");
        if (!Record.HealthCheck.Enabled)
            return new(TargetHealthState.Unavailable, TargetHealthReason.HealthCheckDisabled, "Health checks are disabled for the target group");
        if (target.Health is { } h)
            return new(h.State, h.Reason, h.Description);
        return new(TargetHealthState.Initial, TargetHealthReason.RegistrationInProgress, "Target registration is in progress");
    }
}
