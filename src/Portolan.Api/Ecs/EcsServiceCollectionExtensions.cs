using Microsoft.Extensions.DependencyInjection;
using Portolan.Api.Edge;

namespace Portolan.Api.Ecs;

public static class EcsApiServiceCollectionExtensions
{
    /// <summary>Serves the ECS API on the edge (needs <c>AddEcsRegistry</c>).</summary>
    public static IServiceCollection AddEcsApi(this IServiceCollection services) =>
        services.AddSingleton<IAwsService, EcsService>();
}
