using System.Collections.Immutable;

namespace Portolan.Core.Discovery;

public sealed record DnsRecord(RecordType Type, long TTL);

public sealed record DnsConfig
{
    public RoutingPolicy RoutingPolicy { get; init; } = RoutingPolicy.Multivalue;
    public required ImmutableArray<DnsRecord> DnsRecords { get; init; }

    public bool Has(RecordType type)
    {
        foreach (var r in DnsRecords)
        {
            if (r.Type == type) return true;
        }
        return false;
    }
}

public sealed record HealthCheckConfig(HealthCheckType Type, string? ResourcePath, int FailureThreshold);

/// <summary>AWS always reports FailureThreshold 1 for custom health ("no longer supported").</summary>
public sealed record HealthCheckCustomConfig(int FailureThreshold = 1);

/// <summary>A Cloud Map service as stored. Immutable; updates write a new record.</summary>
public sealed record ServiceRecord
{
    public required string Id { get; init; }
    public required string Arn { get; init; }
    public required string Name { get; init; }
    public required string NamespaceId { get; init; }
    public string? Description { get; init; }
    public required ServiceType Type { get; init; }
    public DnsConfig? DnsConfig { get; init; }
    public HealthCheckConfig? HealthCheckConfig { get; init; }
    public HealthCheckCustomConfig? HealthCheckCustomConfig { get; init; }
    public required DateTimeOffset CreateDate { get; init; }
    public string? CreatorRequestId { get; init; }

    /// <summary>Service attributes (Get/Update/DeleteServiceAttributes), at most 30.</summary>
    public ImmutableSortedDictionary<string, string> Attributes { get; init; } = ImmutableSortedDictionary<string, string>.Empty;

    public bool HasHealthCheck => HealthCheckConfig is not null || HealthCheckCustomConfig is not null;
}
