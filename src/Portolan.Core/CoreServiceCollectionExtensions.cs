using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Portolan.Core.Registry;
using Portolan.Core.Snapshots;

namespace Portolan.Core;

public static class CoreServiceCollectionExtensions
{
    /// <summary>
    /// Registers the registry, the snapshot feed and the operation log. The caller registers the
    /// <see cref="Portolan.Storage.IStore"/> they run on. The snapshot is loaded when the host starts, before
    /// anything serves, so no reader ever sees an empty registry that is not empty.
    /// </summary>
    public static IServiceCollection AddPortolanRegistry(this IServiceCollection services, Action<RegistryOptions>? configure = null)
    {
        services.AddOptions<RegistryOptions>().Configure(o => configure?.Invoke(o));
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<SnapshotFeed>();
        services.AddSingleton<ISnapshotSource>(sp => sp.GetRequiredService<SnapshotFeed>());
        services.AddSingleton<DiscoveryRegistry>();
        services.AddSingleton<OperationLog>();
        services.AddHostedService<SnapshotFeedService>();
        return services;
    }

    private sealed class SnapshotFeedService(SnapshotFeed feed) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken) => feed.StartAsync(cancellationToken);
        public Task StopAsync(CancellationToken cancellationToken) => feed.DisposeAsync().AsTask();
    }
}
