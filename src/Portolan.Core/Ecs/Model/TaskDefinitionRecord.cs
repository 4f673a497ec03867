namespace Portolan.Core.Ecs.Model;

/// <summary>One revision of a task definition family, as registered (immutable except for its status).</summary>
public sealed record TaskDefinitionRecord
{
    public required string Family { get; init; }
    public required int Revision { get; init; }
    public required string Arn { get; init; }
    public required IReadOnlyList<ContainerDefinition> ContainerDefinitions { get; init; }
    public required string NetworkMode { get; init; }
    public required string Status { get; init; }
    public required DateTimeOffset RegisteredAt { get; init; }
    public DateTimeOffset? DeregisteredAt { get; init; }
    public string? TaskRoleArn { get; init; }
    public string? ExecutionRoleArn { get; init; }
    public string? Cpu { get; init; }
    public string? Memory { get; init; }
    public IReadOnlyList<string> RequiresCompatibilities { get; init; } = [];

    /// <summary>Members Portolan stores and echoes but does not act on (volumes, placementConstraints, pidMode, …).</summary>
    public IReadOnlyDictionary<string, System.Text.Json.JsonElement>? Extra { get; init; }

    /// <summary><c>family:revision</c>, the short form ECS accepts wherever a task definition is named.</summary>
    public string FamilyRevision => $"{Family}:{Revision}";

    public bool IsActive => Status == EcsStatus.Active;

    public ContainerDefinition? Container(string name) => ContainerDefinitions.FirstOrDefault(c => c.Name == name);
}

/// <summary>Network modes of a task definition (botocore <c>NetworkMode</c>).</summary>
public static class NetworkModes
{
    public const string Bridge = "bridge";
    public const string Host = "host";
    public const string AwsVpc = "awsvpc";
    public const string None = "none";
}
