using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Portolan.Api.Auth;

namespace Portolan.Api.Edge;

/// <summary>Wiring of the AWS API edge into an ASP.NET Core host.</summary>
public static class AwsEdgeExtensions
{
    /// <summary>
    /// Registers the edge. Services are every <see cref="IAwsService"/> in the container, registered before or after
    /// this call. A <see cref="TimeProvider"/> already registered is used for signature clock checks.
    /// </summary>
    public static IServiceCollection AddAwsEdge(
        this IServiceCollection services,
        Action<AwsEdgeOptions>? configureEdge = null,
        Action<AwsAuthOptions>? configureAuth = null)
    {
        services.AddOptions<AwsEdgeOptions>();
        services.AddOptions<AwsAuthOptions>();
        if (configureEdge is not null)
        {
            services.Configure(configureEdge);
        }

        if (configureAuth is not null)
        {
            services.Configure(configureAuth);
        }

        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(sp => new AwsServiceDirectory(sp.GetServices<IAwsService>()));
        services.TryAddSingleton(sp => new SigV4Verifier(
            sp.GetRequiredService<IOptions<AwsAuthOptions>>().Value, sp.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton<AwsEdgeHandler>();
        services.TryAddSingleton(sp => new RequestAuthenticator(sp.GetRequiredService<SigV4Verifier>()));
        return services;
    }

    /// <summary>Puts the edge in the pipeline: it answers every POST and passes other methods on.</summary>
    public static IApplicationBuilder UseAwsEdge(this IApplicationBuilder app) => app.UseMiddleware<AwsEdgeMiddleware>();
}
