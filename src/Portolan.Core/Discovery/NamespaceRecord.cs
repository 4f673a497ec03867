namespace Portolan.Core.Discovery;

/// <summary>A Cloud Map namespace as stored. Immutable; updates write a new record.</summary>
public sealed record NamespaceRecord
{
    public required string Id { get; init; }
    public required string Arn { get; init; }
    public required string Name { get; init; }
    public required NamespaceType Type { get; init; }
    public string? Description { get; init; }

    /// <summary>The name DiscoverInstances takes (equal to <see cref="Name"/> in Portolan: names are unique).</summary>
    public required string HttpName { get; init; }

    /// <summary>The VPC a private DNS namespace was created for (recorded, not enforced).</summary>
    public string? Vpc { get; init; }

    /// <summary>Route 53-style zone id, reported in DnsProperties for DNS namespaces.</summary>
    public string? HostedZoneId { get; init; }

    /// <summary>SOA TTL for DNS namespaces: the negative-caching TTL of the zone.</summary>
    public long? SoaTtl { get; init; }

    public required DateTimeOffset CreateDate { get; init; }
    public string? CreatorRequestId { get; init; }

    /// <summary>The CREATE_NAMESPACE operation, returned again when a create is retried with the same CreatorRequestId.</summary>
    public required string CreateOperationId { get; init; }

    public bool IsDns => Type != NamespaceType.Http;
}
