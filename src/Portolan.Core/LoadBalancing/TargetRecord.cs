using System.Text.Json.Serialization;

namespace Portolan.Core.LoadBalancing;

/// <summary>A target of a target group is its id (IP address or instance id) plus the port it is registered on.</summary>
public readonly record struct TargetKey(string Id, int Port) : IComparable<TargetKey>
{
    public int CompareTo(TargetKey other)
    {
        var byId = string.CompareOrdinal(Id, other.Id);
        return byId != 0 ? byId : Port.CompareTo(other.Port);
    }

    public static bool operator <(TargetKey left, TargetKey right) => left.CompareTo(right) < 0;
    public static bool operator <=(TargetKey left, TargetKey right) => left.CompareTo(right) <= 0;
    public static bool operator >(TargetKey left, TargetKey right) => left.CompareTo(right) > 0;
    public static bool operator >=(TargetKey left, TargetKey right) => left.CompareTo(right) >= 0;

    public override string ToString() => $"{Id}:{Port}";
}

/// <summary>
/// A registered target as stored. <see cref="DrainingSince"/> is set by <c>DeregisterTargets</c>: from then on the
/// target takes no new requests, in-flight ones may finish, and at <see cref="DrainingDeadline"/> (now +
/// <c>deregistration_delay.timeout_seconds</c>) the store removes it (the record is bound to a store lease).
/// </summary>
public sealed record TargetRecord
{
    public required string Id { get; init; }
    public required int Port { get; init; }
    public string? AvailabilityZone { get; init; }
    public required DateTimeOffset RegisteredAt { get; init; }
    public DateTimeOffset? DrainingSince { get; init; }
    public DateTimeOffset? DrainingDeadline { get; init; }

    [JsonIgnore] public TargetKey Key => new(Id, Port);
    [JsonIgnore] public bool IsDraining => DrainingSince is not null;
}

/// <summary>
/// The health engine's last verdict on a target, written through the registry on a threshold crossing
/// (<see cref="LoadBalancingRegistry.SetTargetHealthAsync"/>). <see cref="Since"/> is when the state was entered.
/// </summary>
public sealed record TargetHealthRecord(TargetHealthState State, TargetHealthReason? Reason, string? Description, DateTimeOffset Since);

/// <summary>A target's health as <c>DescribeTargetHealth</c> reports it and as the data plane routes on it.</summary>
public readonly record struct TargetHealth(TargetHealthState State, TargetHealthReason? Reason, string? Description)
{
    /// <summary>
    /// Whether the data plane should send new requests: healthy targets, and targets of a group whose health checks
    /// are off (unavailable). A new target (initial) must first pass a check, as on AWS. Draining and unused targets
    /// never take new requests; when no target takes traffic, ALB fails open to every registered, non-draining target.
    /// </summary>
    public bool TakesTraffic => State is TargetHealthState.Healthy or TargetHealthState.Unavailable;
}
