using Microsoft.Extensions.Options;
using Portolan.Core.Ecs;
using Portolan.Core.Ecs.Model;
using Portolan.Core.Ecs.Registry;
using Portolan.Core.Registry;
using Portolan.Core.Tests.Registry;

namespace Portolan.Core.Tests.Ecs;

/// <summary>The ECS registry next to the Cloud Map registry, on a real SQLite store with its snapshot feed running.</summary>
internal sealed class EcsHarness : IAsyncDisposable
{
    private EcsHarness(RegistryHarness inner, EcsRegistry ecs)
    {
        Inner = inner;
        Ecs = ecs;
    }

    public RegistryHarness Inner { get; }
    public EcsRegistry Ecs { get; }
    public DiscoveryRegistry CloudMap => Inner.Registry;

    public static async Task<EcsHarness> StartAsync(TimeProvider? time = null, RegistryOptions? options = null)
    {
        var inner = await RegistryHarness.StartAsync(options);
        var ecs = new EcsRegistry(inner.Store, inner.Feed, Options.Create(inner.Registry.Options), Options.Create(new EcsOptions()),
            new NoTargetGroupCatalog(), time ?? TimeProvider.System);
        return new EcsHarness(inner, ecs);
    }

    public static ContainerDefinition Container(string name = "app", params int[] ports) => new()
    {
        Name = name, Image = "busybox", Command = ["sleep", "60"],
        PortMappings = ports.Select(p => new PortMappingSpec { ContainerPort = p }).ToList(),
    };

    public async Task<TaskDefinitionRecord> TaskDefinitionAsync(string family = "echo", params ContainerDefinition[] containers) =>
        await Ecs.RegisterTaskDefinitionAsync(new RegisterTaskDefinitionCommand { Family = family, ContainerDefinitions = containers.Length == 0 ? [Container()] : containers });

    public ValueTask DisposeAsync() => Inner.DisposeAsync();
}
