using System.Collections.Immutable;
using Portolan.Core.Discovery;

namespace Portolan.Core.Registry;

public sealed record CreateNamespaceCommand(
    NamespaceType Type,
    string? Name,
    string? CreatorRequestId = null,
    string? Description = null,
    string? Vpc = null,
    long? SoaTtl = null,
    IReadOnlyList<KeyValuePair<string, string>>? Tags = null);

/// <summary>Changes to a namespace; null members stay as they are.</summary>
public sealed record UpdateNamespaceCommand(string Id, NamespaceType Type, string? Description, long? SoaTtl);

public sealed record CreateServiceCommand(
    string? Name,
    string? NamespaceId,
    string? CreatorRequestId = null,
    string? Description = null,
    DnsConfig? DnsConfig = null,
    HealthCheckConfig? HealthCheckConfig = null,
    HealthCheckCustomConfig? HealthCheckCustomConfig = null,
    IReadOnlyList<KeyValuePair<string, string>>? Tags = null,
    bool HttpOnly = false);

/// <summary>
/// Changes to a service. As in AWS, an omitted <see cref="HealthCheckConfig"/> removes the service's health
/// check; record types can't change, only their TTLs.
/// </summary>
public sealed record UpdateServiceCommand(string Id, string? Description, ImmutableArray<DnsRecord>? DnsRecords, HealthCheckConfig? HealthCheckConfig);

public sealed record RegisterInstanceCommand(
    string ServiceId,
    string InstanceId,
    IReadOnlyDictionary<string, string> Attributes,
    string? CreatorRequestId = null);
