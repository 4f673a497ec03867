using System.Text.Json;

namespace Portolan.Core.Ecs.Model;

/// <summary>
/// A container of a task definition. The members the process runtime acts on are typed; everything else ECS
/// defines (mountPoints, logConfiguration, ulimits, dependsOn, …) is kept in <see cref="Extra"/> and echoed back
/// unchanged, so a definition written for AWS registers and describes as it would there.
/// </summary>
public sealed record ContainerDefinition
{
    public required string Name { get; init; }

    /// <summary>Recorded and reported; the process runtime does not pull or run images (see docs/ecs.md).</summary>
    public required string Image { get; init; }

    public int Cpu { get; init; }
    public int? Memory { get; init; }
    public int? MemoryReservation { get; init; }
    public bool Essential { get; init; } = true;
    public IReadOnlyList<string>? EntryPoint { get; init; }
    public IReadOnlyList<string>? Command { get; init; }
    public IReadOnlyList<NameValue> Environment { get; init; } = [];
    public IReadOnlyList<PortMappingSpec> PortMappings { get; init; } = [];
    public string? WorkingDirectory { get; init; }
    public HealthCheckSpec? HealthCheck { get; init; }
    public int? StartTimeout { get; init; }

    /// <summary>Seconds between SIGTERM and SIGKILL when the container is stopped; ECS's default is 30.</summary>
    public int? StopTimeout { get; init; }

    public IReadOnlyDictionary<string, JsonElement>? Extra { get; init; }

    public PortMappingSpec? PortMapping(int containerPort) => PortMappings.FirstOrDefault(p => p.ContainerPort == containerPort);
}

/// <summary>A port mapping. <see cref="HostPort"/> 0 asks for a dynamic host port (bridge mode).</summary>
public sealed record PortMappingSpec
{
    public required int ContainerPort { get; init; }
    public int HostPort { get; init; }
    public string Protocol { get; init; } = "tcp";
    public string? Name { get; init; }
    public string? AppProtocol { get; init; }
}

/// <summary>
/// A container health check: <c>["CMD", exe, args…]</c> or <c>["CMD-SHELL", "script"]</c>, with ECS's defaults
/// (interval 30 s, timeout 5 s, 3 retries, no start period).
/// </summary>
public sealed record HealthCheckSpec
{
    public required IReadOnlyList<string> Command { get; init; }
    public int Interval { get; init; } = 30;
    public int Timeout { get; init; } = 5;
    public int Retries { get; init; } = 3;
    public int StartPeriod { get; init; }
}
