using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;

namespace Portolan.WebConsole.Metrics;

/// <summary>
/// Prometheus <c>GET /metrics</c> on the API port, by OpenTelemetry's exporter, for every <c>Portolan.*</c> meter:
/// DNS (<c>Portolan.Dns</c>), registry writes and contents (<c>Portolan.Registry</c>), ECS tasks (<c>Portolan.Ecs</c>), and the meters of the proxy,
/// health checks and tasks as they are registered. Instruments are System.Diagnostics.Metrics ones, so the hot paths
/// that record them depend on nothing but the BCL.
/// </summary>
public static class MetricsExtensions
{
    /// <summary>The scrape path.</summary>
    public const string Path = "/metrics";

    private static readonly double[] RequestBuckets = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

    public static IServiceCollection AddPortolanMetrics(this IServiceCollection services)
    {
        services.AddMetrics();
        services.TryAddSingleton<RegistryGauges>();
        services.TryAddSingleton<EcsGauges>();
        services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService("portolan"))
            .WithMetrics(metrics => metrics
            .AddMeter("Portolan.*")
            // Request durations of the load balancer: seconds, from sub-millisecond to a slow upstream's timeout
            // (the SDK's default buckets are meant for milliseconds).
            .AddView("portolan.lb.request.duration", new ExplicitBucketHistogramConfiguration { Boundaries = RequestBuckets })
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
        _ = app.ApplicationServices.GetRequiredService<EcsGauges>();
        // The health engine's gauges, when the server runs one.
        if (app.ApplicationServices.GetService<Health.Reporting.HealthView>() is { } health)
        {
            _ = ActivatorUtilities.CreateInstance<HealthGauges>(app.ApplicationServices, health);
        }

        return app.UseOpenTelemetryPrometheusScrapingEndpoint(Path);
    }
}
