using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;

namespace Portolan.WebConsole.Metrics;

/// <summary>
/// Prometheus <c>GET /metrics</c> on the API port, by OpenTelemetry's exporter, for every <c>Portolan.*</c> meter:
/// DNS (<c>Portolan.Dns</c>), registry writes and contents (<c>Portolan.Registry</c>), and the meters of the proxy,
/// health checks and tasks as they are registered. Instruments are System.Diagnostics.Metrics ones, so the hot paths
/// that record them depend on nothing but the BCL.
/// </summary>
public static class MetricsExtensions
{
    /// <summary>The scrape path.</summary>
    public const string Path = "/metrics";

    public static IServiceCollection AddPortolanMetrics(this IServiceCollection services)
    {
        services.AddMetrics();
        services.TryAddSingleton<RegistryGauges>();
        services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService("portolan"))
            .WithMetrics(metrics => metrics
            .AddMeter("Portolan.*")
            .AddPrometheusExporter(prometheus =>
            {
                // Every scrape sees the values of that moment (the default caches a response for 300 ms).
                prometheus.ScrapeResponseCacheDurationMilliseconds = 0;
            }));
        return services;
    }

    /// <summary>Serves <see cref="Path"/>; also creates the observed gauges, which exist from then on.</summary>
    public static IApplicationBuilder UsePortolanMetrics(this IApplicationBuilder app)
    {
        _ = app.ApplicationServices.GetRequiredService<RegistryGauges>();
        return app.UseOpenTelemetryPrometheusScrapingEndpoint(Path);
    }
}
