using Microsoft.Extensions.DependencyInjection;
using Portolan.Api.Edge;

namespace Portolan.Api.CloudMap;

public static class CloudMapServiceCollectionExtensions
{
    /// <summary>Serves the Cloud Map API on the edge (needs <c>AddPortolanRegistry</c>).</summary>
    public static IServiceCollection AddCloudMapApi(this IServiceCollection services) =>
        services.AddSingleton<IAwsService, CloudMapService>();
}
