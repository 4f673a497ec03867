using System.Collections.Immutable;

namespace Portolan.Core.Discovery;

/// <summary>A registered instance as stored. Health lives in its own key (<see cref="InstanceHealth"/>).</summary>
public sealed record InstanceRecord
{
    public required string ServiceId { get; init; }
    public required string Id { get; init; }
    public string? CreatorRequestId { get; init; }
    public required ImmutableSortedDictionary<string, string> Attributes { get; init; }

    /// <summary>The REGISTER_INSTANCE operation that wrote this version.</summary>
    public required string OperationId { get; init; }
    public required DateTimeOffset RegisteredAt { get; init; }
}

/// <summary>
/// The health of one instance, written by whoever decides it (custom health calls now; the health engine
/// later). Kept apart from the instance so health flips do not change the instance or InstancesRevision.
/// </summary>
public sealed record InstanceHealth(HealthStatus Status, DateTimeOffset UpdatedAt, string? Reason = null);
