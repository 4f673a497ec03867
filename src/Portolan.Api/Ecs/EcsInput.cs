using System.Text.Json;
using Portolan.Core.Ecs;
using Portolan.Core.Ecs.Model;

namespace Portolan.Api.Ecs;

/// <summary>
/// Turns ECS request members into the model, reading a filled-in <c>--generate-cli-skeleton</c> the way a user means
/// it: an empty string, a placeholder entry whose members are all empty (or 0), or a port of 0 where 0 is not a port,
/// means "not set". Meaningful zeros stay (desiredCount 0, hostPort 0 = dynamic, minimumHealthyPercent 0).
/// </summary>
internal static class EcsInput
{
    public static string? Str(string? value) => string.IsNullOrEmpty(value) ? null : value;

    public static List<KeyValuePair<string, string>>? Tags(List<TagDto>? tags) =>
        tags?.Where(t => !(string.IsNullOrEmpty(t.Key) && string.IsNullOrEmpty(t.Value)))
            .Select(t => new KeyValuePair<string, string>(t.Key ?? "", t.Value ?? "")).ToList();

    public static List<NameValue> NameValues(List<NameValueDto>? values) =>
        values?.Where(v => !(string.IsNullOrEmpty(v.Name) && string.IsNullOrEmpty(v.Value)))
            .Select(v => new NameValue(v.Name ?? "", v.Value ?? "")).ToList() ?? [];

    /// <summary>A list of strings without placeholder entries; null when nothing is left.</summary>
    public static List<string>? Strings(List<string>? values)
    {
        var kept = values?.Where(v => !string.IsNullOrEmpty(v)).ToList();
        return kept is { Count: > 0 } ? kept : null;
    }

    public static List<LoadBalancerSpec> LoadBalancers(List<LoadBalancerDto>? entries)
    {
        var result = new List<LoadBalancerSpec>();
        foreach (var e in entries ?? [])
        {
            var tg = Str(e.TargetGroupArn);
            var name = Str(e.LoadBalancerName);
            var container = Str(e.ContainerName);
            var port = e.ContainerPort is 0 ? null : e.ContainerPort;
            if (tg is null && name is null && container is null && port is null) continue;
            if (container is null || port is null)
                throw new Edge.AwsServiceException(EcsErrors.InvalidParameter, "Each loadBalancers entry needs containerName and containerPort: the container port to register in the target group.");
            result.Add(new LoadBalancerSpec(tg, name, container, port.Value));
        }
        return result;
    }

    public static List<ServiceRegistrySpec> ServiceRegistries(List<ServiceRegistryDto>? entries)
    {
        var result = new List<ServiceRegistrySpec>();
        foreach (var e in entries ?? [])
        {
            var arn = Str(e.RegistryArn);
            var port = e.Port is 0 ? null : e.Port;
            var container = Str(e.ContainerName);
            var containerPort = e.ContainerPort is 0 ? null : e.ContainerPort;
            if (arn is null && port is null && container is null && containerPort is null) continue;
            result.Add(new ServiceRegistrySpec(arn ?? "", port, container, containerPort));
        }
        return result;
    }

    /// <summary>True when a capacity provider strategy names a provider (the skeleton's placeholder entry names none).</summary>
    public static bool HasCapacityProviders(List<CapacityProviderItemDto>? strategy) =>
        strategy?.Any(p => !string.IsNullOrEmpty(p.CapacityProvider)) == true;

    /// <summary>
    /// A network configuration counts when it names a subnet; the skeleton's <c>{"subnets": [""], …}</c> does not.
    /// </summary>
    public static bool HasNetworkConfiguration(JsonElement? networkConfiguration) =>
        JsonPrune.Clean(networkConfiguration) is { } cleaned
        && cleaned.TryGetProperty("awsvpcConfiguration", out var vpc)
        && vpc.TryGetProperty("subnets", out var subnets) && subnets.GetArrayLength() > 0;

    /// <summary>Service Connect configured for real: a namespace or a service with a port name, not the skeleton's placeholder.</summary>
    public static bool HasServiceConnect(JsonElement? configuration)
    {
        if (JsonPrune.Clean(configuration) is not { } c) return false;
        if (c.TryGetProperty("enabled", out var enabled) && enabled.ValueKind == JsonValueKind.False) return false;
        return c.TryGetProperty("namespace", out _) || (c.TryGetProperty("services", out var services)
            && services.EnumerateArray().Any(s => s.TryGetProperty("portName", out _) || s.TryGetProperty("discoveryName", out _)));
    }

    public static DeploymentConfigurationSpec? DeploymentConfiguration(DeploymentConfigurationDto? dto)
    {
        if (dto is null) return null;
        var alarms = JsonPrune.Clean(dto.Alarms);
        // Alarms without alarm names watch nothing (the skeleton's {"alarmNames": [""], "enable": true}).
        if (alarms is { } a && !a.TryGetProperty("alarmNames", out _)) alarms = null;
        return new DeploymentConfigurationSpec
        {
            // maximumPercent 0 would forbid running any task; the skeleton's 0 means "the default".
            MaximumPercent = dto.MaximumPercent is null or 0 ? 200 : dto.MaximumPercent.Value,
            MinimumHealthyPercent = dto.MinimumHealthyPercent ?? 100,
            CircuitBreakerEnable = dto.DeploymentCircuitBreaker?.Enable ?? false,
            CircuitBreakerRollback = dto.DeploymentCircuitBreaker?.Rollback ?? false,
            Alarms = alarms,
        };
    }

    public static ContainerDefinition Container(ContainerDefinitionDto c)
    {
        var mappings = new List<PortMappingSpec>();
        foreach (var p in c.PortMappings ?? [])
        {
            if (Str(p.ContainerPortRange) is { } range)
                throw new Edge.AwsServiceException(EcsErrors.Client, $"containerPortRange ({range}) is not supported by Portolan's process runtime; map each port.");
            // The skeleton's placeholder mapping has containerPort 0, which is no port.
            if (p.ContainerPort is null or 0) continue;
            mappings.Add(new PortMappingSpec
            {
                ContainerPort = p.ContainerPort.Value, HostPort = p.HostPort ?? 0, Protocol = Str(p.Protocol) ?? "tcp",
                Name = Str(p.Name), AppProtocol = Str(p.Name) is null ? null : Str(p.AppProtocol),
            });
        }
        HealthCheckSpec? healthCheck = null;
        if (c.HealthCheck is { } hc && Strings(hc.Command) is { } command)
        {
            healthCheck = new HealthCheckSpec
            {
                Command = command, Interval = hc.Interval is null or 0 ? 30 : hc.Interval.Value, Timeout = hc.Timeout is null or 0 ? 5 : hc.Timeout.Value,
                Retries = hc.Retries is null or 0 ? 3 : hc.Retries.Value, StartPeriod = hc.StartPeriod ?? 0,
            };
        }
        return new ContainerDefinition
        {
            Name = c.Name ?? "", Image = c.Image ?? "", Cpu = c.Cpu ?? 0,
            Memory = c.Memory is 0 ? null : c.Memory, MemoryReservation = c.MemoryReservation is 0 ? null : c.MemoryReservation,
            Essential = c.Essential ?? true, EntryPoint = Strings(c.EntryPoint), Command = Strings(c.Command),
            Environment = NameValues(c.Environment), PortMappings = mappings, WorkingDirectory = Str(c.WorkingDirectory),
            HealthCheck = healthCheck, StartTimeout = c.StartTimeout is 0 ? null : c.StartTimeout, StopTimeout = c.StopTimeout is 0 ? null : c.StopTimeout,
            Extra = JsonPrune.Clean(c.Extra),
        };
    }

    public static List<ContainerOverrideSpec> Overrides(TaskOverrideDto? overrides) =>
        overrides?.ContainerOverrides?.Where(o => !string.IsNullOrEmpty(o.Name))
            .Select(o => new ContainerOverrideSpec { Name = o.Name!, Command = Strings(o.Command), Environment = NameValues(o.Environment) }).ToList() ?? [];
}
