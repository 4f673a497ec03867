using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Portolan.Dns.Server;
using Portolan.Dns.Zones;

namespace Portolan.Dns;

public static class DnsServiceCollectionExtensions
{
    /// <summary>
    /// Adds the authoritative DNS server for every DNS namespace, served from the registry snapshot. Register it
    /// after the registry (<c>AddPortolanRegistry</c>) so it starts once the snapshot is loaded. Resolve
    /// <see cref="IDnsServer"/> after start for the bound endpoints.
    /// </summary>
    public static IServiceCollection AddPortolanDns(
        this IServiceCollection services,
        Action<DnsServerOptions>? configureServer = null,
        Action<ZoneViewOptions>? configureZones = null)
    {
        services.AddOptions<DnsServerOptions>().Configure(o => configureServer?.Invoke(o));
        services.AddOptions<ZoneViewOptions>().Configure(o => configureZones?.Invoke(o));
        services.TryAddSingleton(sp => new ZoneViewFeed(
            sp.GetRequiredService<Core.Snapshots.ISnapshotSource>(),
            sp.GetRequiredService<IOptions<ZoneViewOptions>>().Value,
            sp.GetRequiredService<Microsoft.Extensions.Logging.ILogger<ZoneViewFeed>>()));
        services.TryAddSingleton<IZoneViewSource>(sp => sp.GetRequiredService<ZoneViewFeed>());
        services.TryAddSingleton(sp => new ZoneInspector(sp.GetRequiredService<IZoneViewSource>()));
        services.AddMetrics();
        services.TryAddSingleton<DnsMetrics>();
        services.TryAddSingleton(sp => new DnsQueryProcessor(
            sp.GetRequiredService<IZoneViewSource>(),
            sp.GetRequiredService<IOptions<DnsServerOptions>>().Value,
            sp.GetRequiredService<DnsMetrics>()));
        services.TryAddSingleton<UpstreamForwarder>();
        services.TryAddSingleton<DnsServer>();
        services.TryAddSingleton<IDnsServer>(sp => sp.GetRequiredService<DnsServer>());
        services.AddHostedService(sp => sp.GetRequiredService<DnsServer>());
        return services;
    }
}
