using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Portolan.WebConsole.Live;
using Portolan.WebConsole.Views;
using Portolan.WebConsole.Web;

namespace Portolan.WebConsole;

public static class ConsoleServiceCollectionExtensions
{
    /// <summary>
    /// Adds the web console (needs the registry, the DNS zone view and the API edge). It is served under
    /// <see cref="ConsolePaths.Root"/> on the API port by <see cref="UsePortolanConsole"/>.
    /// </summary>
    public static IServiceCollection AddPortolanConsole(this IServiceCollection services)
    {
        services.TryAddSingleton<ConsoleAssets>();
        services.TryAddSingleton<RevisionEventStream>();
        services.TryAddSingleton<ConsoleViews>();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<HealthTimeline>();
        services.AddHostedService(sp => sp.GetRequiredService<HealthTimeline>());
        services.TryAddSingleton<TargetHealthTimeline>();
        services.AddHostedService(sp => sp.GetRequiredService<TargetHealthTimeline>());
        return services;
    }

    /// <summary>Serves the console's pages, views and event stream (GET and HEAD under <c>/console</c>).</summary>
    public static IApplicationBuilder UsePortolanConsole(this IApplicationBuilder app) => app.UseMiddleware<ConsoleMiddleware>();
}
