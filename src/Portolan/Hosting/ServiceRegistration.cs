using Microsoft.Extensions.DependencyInjection;

namespace Portolan.Hosting;

/// <summary>
/// The one place where the server's parts are put into the container; <see cref="PortolanHost"/> calls it for the
/// CLI and for in-process hosts alike. The API edge is already registered by then (with the access keys of
/// <c>--auth</c>) and serves every <c>IAwsService</c> registered here.
/// </summary>
internal static class ServiceRegistration
{
    public static IServiceCollection AddPortolanServices(this IServiceCollection services, PortolanOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);

        // ---- Core: store, registry, snapshot -------------------------------------------------------------------
        // Open the store named by options.StoreUri (sqlite:PATH | etcd://...) and register the Registry here.

        // ---- AWS services on the edge, each as IAwsService -------------------------------------------------------
        // Cloud Map (servicediscovery):  services.AddSingleton<IAwsService, ...>();
        // ECS and ELBv2 follow the same way.

        return services;
    }
}
