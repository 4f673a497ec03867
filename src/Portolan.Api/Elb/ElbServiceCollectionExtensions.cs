using Microsoft.Extensions.DependencyInjection;
using Portolan.Api.Edge;
using Portolan.Core.LoadBalancing;

namespace Portolan.Api.Elb;

public static class ElbServiceCollectionExtensions
{
    /// <summary>Serves the ELBv2 API on the edge (registers the load-balancing registry too; needs <c>AddPortolanRegistry</c>).</summary>
    public static IServiceCollection AddElbApi(this IServiceCollection services)
    {
        services.AddLoadBalancingRegistry();
        return services.AddSingleton<IAwsService, ElbService>();
    }
}
