namespace Portolan.Core.Ecs.Model;

/// <summary>
/// An ECS cluster as stored. Deleting a cluster marks it INACTIVE (it stays describable, as in ECS) and creating
/// one with the same name makes it ACTIVE again.
/// </summary>
public sealed record ClusterRecord
{
    public required string Name { get; init; }
    public required string Arn { get; init; }
    public required string Status { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>Cluster settings as given (<c>containerInsights</c> defaults to <c>disabled</c>, as ECS reports it).</summary>
    public IReadOnlyList<NameValue> Settings { get; init; } = [];

    public bool IsActive => Status == EcsStatus.Active;
}

/// <summary>A <c>{name, value}</c> pair: ECS environment variables, cluster settings.</summary>
public sealed record NameValue(string Name, string Value);

/// <summary>Status strings of clusters, services and task definitions, as ECS writes them.</summary>
public static class EcsStatus
{
    public const string Active = "ACTIVE";
    public const string Inactive = "INACTIVE";
    public const string Draining = "DRAINING";
}
