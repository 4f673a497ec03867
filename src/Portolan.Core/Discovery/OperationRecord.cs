using System.Collections.Immutable;

namespace Portolan.Core.Discovery;

/// <summary>A Cloud Map operation. Portolan commits writes synchronously, so they are recorded as SUCCESS.</summary>
public sealed record OperationRecord
{
    public required string Id { get; init; }
    public required OperationType Type { get; init; }
    public required OperationStatus Status { get; init; }
    public string? ErrorMessage { get; init; }
    public string? ErrorCode { get; init; }
    public required DateTimeOffset CreateDate { get; init; }
    public required DateTimeOffset UpdateDate { get; init; }
    public required ImmutableSortedDictionary<OperationTargetType, string> Targets { get; init; }
}
