using Portolan.Core.Ecs.Model;

namespace Portolan.Core.Ecs.Validation;

/// <summary>
/// What RegisterTaskDefinition checks, with ECS's messages where they are known. Returns the container definitions
/// normalised as ECS stores them (host ports filled in where the network mode fixes them, protocol tcp by default).
/// </summary>
public static class TaskDefinitionRules
{
    private static readonly HashSet<string> NetworkModes = [Model.NetworkModes.Bridge, Model.NetworkModes.Host, Model.NetworkModes.AwsVpc, Model.NetworkModes.None];
    private static readonly HashSet<string> Compatibilities = ["EC2", "FARGATE", "EXTERNAL"];

    public static IReadOnlyList<ContainerDefinition> Validate(string networkMode, IReadOnlyList<ContainerDefinition> containers, IReadOnlyList<string> requires)
    {
        if (!NetworkModes.Contains(networkMode))
            throw EcsErrors.Invalid($"Invalid networkMode '{networkMode}'. Valid values are bridge, host, awsvpc and none.");
        foreach (var c in requires)
        {
            if (!Compatibilities.Contains(c)) throw EcsErrors.Invalid($"Invalid requiresCompatibilities value '{c}'. Valid values are EC2, FARGATE and EXTERNAL.");
        }
        if (requires.Contains("FARGATE") && networkMode != Model.NetworkModes.AwsVpc)
            throw EcsErrors.ClientError("Fargate only supports network mode 'awsvpc'.");
        if (containers.Count == 0) throw EcsErrors.ClientError("Container list cannot be empty.");
        if (containers.Count > 10) throw EcsErrors.ClientError("Too many containers: a task definition can have at most 10.");

        var names = new HashSet<string>(StringComparer.Ordinal);
        var staticHostPorts = new HashSet<(int, string)>();
        var result = new List<ContainerDefinition>(containers.Count);
        foreach (var c in containers)
        {
            if (string.IsNullOrEmpty(c.Name)) throw EcsErrors.ClientError("Container.name should not be null or empty.");
            if (!EcsNames.IsValid(c.Name)) throw EcsErrors.ClientError($"Invalid container name '{c.Name}'. Up to 255 letters (uppercase and lowercase), numbers, underscores, and hyphens are allowed.");
            if (!names.Add(c.Name)) throw EcsErrors.ClientError($"Duplicate container name '{c.Name}': container names must be unique within a task definition.");
            if (string.IsNullOrEmpty(c.Image)) throw EcsErrors.ClientError("Container.image should not be null or empty.");
            if (c.Cpu < 0 || c.Memory is < 4 || c.MemoryReservation is < 4)
                throw EcsErrors.ClientError($"Invalid cpu or memory for container '{c.Name}': cpu must be 0 or more and memory at least 4 MiB.");
            if (c.StopTimeout is < 0 || c.StartTimeout is < 0)
                throw EcsErrors.ClientError($"Invalid startTimeout or stopTimeout for container '{c.Name}': they must be 0 or more seconds.");
            foreach (var env in c.Environment)
            {
                if (string.IsNullOrEmpty(env.Name)) throw EcsErrors.ClientError($"Environment variable names of container '{c.Name}' should not be null or empty.");
            }
            if (c.HealthCheck is { } hc) HealthCheck(c.Name, hc);
            result.Add(c with { PortMappings = PortMappings(c, networkMode, staticHostPorts) });
        }
        if (!result.Any(c => c.Essential)) throw EcsErrors.ClientError("At least one essential container is required in a task definition.");
        return result;
    }

    private static List<PortMappingSpec> PortMappings(ContainerDefinition c, string networkMode, HashSet<(int, string)> staticHostPorts)
    {
        if (networkMode == Model.NetworkModes.None && c.PortMappings.Count > 0)
            throw EcsErrors.ClientError($"Container '{c.Name}' has port mappings, which the 'none' network mode does not allow.");
        var seen = new HashSet<(int, string)>();
        var mappings = new List<PortMappingSpec>(c.PortMappings.Count);
        foreach (var p in c.PortMappings)
        {
            if (p.ContainerPort is < 1 or > 65535)
                throw EcsErrors.ClientError($"Invalid containerPort {p.ContainerPort} for container '{c.Name}': it must be between 1 and 65535.");
            if (p.HostPort is < 0 or > 65535)
                throw EcsErrors.ClientError($"Invalid hostPort {p.HostPort} for container '{c.Name}': it must be between 0 and 65535.");
            if (p.Protocol is not ("tcp" or "udp"))
                throw EcsErrors.ClientError($"Invalid protocol '{p.Protocol}' for container '{c.Name}': use tcp or udp.");
            if (!seen.Add((p.ContainerPort, p.Protocol)))
                throw EcsErrors.ClientError($"Container '{c.Name}' maps containerPort {p.ContainerPort}/{p.Protocol} more than once.");
            var mapping = p;
            if (networkMode is Model.NetworkModes.Host or Model.NetworkModes.AwsVpc)
            {
                // Without a bridge there is no port translation: the process listens on the port it names.
                if (p.HostPort != 0 && p.HostPort != p.ContainerPort)
                    throw EcsErrors.ClientError($"When networkMode={networkMode}, the host ports and container ports in port mappings must match.");
                mapping = p with { HostPort = p.ContainerPort };
            }
            if (mapping.HostPort != 0 && !staticHostPorts.Add((mapping.HostPort, p.Protocol)))
                throw EcsErrors.ClientError($"Host port {mapping.HostPort}/{p.Protocol} is mapped more than once in the task definition.");
            mappings.Add(mapping);
        }
        return mappings;
    }

    private static void HealthCheck(string container, HealthCheckSpec hc)
    {
        if (hc.Command.Count == 0 || hc.Command[0] is not ("CMD" or "CMD-SHELL") || hc.Command.Count < 2 || string.IsNullOrWhiteSpace(hc.Command[1]))
            throw EcsErrors.ClientError($"Invalid healthCheck command for container '{container}': use [\"CMD\", \"executable\", \"arg\", …] or [\"CMD-SHELL\", \"command\"].");
        Range(container, "interval", hc.Interval, 5, 300);
        Range(container, "timeout", hc.Timeout, 2, 60);
        Range(container, "retries", hc.Retries, 1, 10);
        Range(container, "startPeriod", hc.StartPeriod, 0, 300);
    }

    private static void Range(string container, string name, int value, int min, int max)
    {
        if (value < min || value > max)
            throw EcsErrors.ClientError($"Invalid 'healthCheck.{name}' setting for container '{container}'. Values must be between {min} and {max}.");
    }
}
