using Microsoft.Extensions.DependencyInjection;
using Portolan.Api.CloudMap;
using Portolan.Api.Ecs;
using Portolan.Api.Elb;
using System.Net;
using Microsoft.Extensions.Options;
using Portolan.Core;
using Portolan.Core.LoadBalancing;
using Portolan.Core.Cluster;
using Portolan.Core.Ecs;
using Portolan.Dns;
using Portolan.WebConsole;
using Portolan.WebConsole.Metrics;
using Portolan.Health;
using Portolan.Health.Ownership;
using Portolan.Proxy;
using Portolan.Tasks;

namespace Portolan.Hosting;

/// <summary>
/// The one place where the server's parts are put into the container; <see cref="PortolanHost"/> calls it for the
/// CLI and for in-process hosts alike. By then the API edge is registered (with the access keys of
/// <c>--auth</c>) and so is the opened <c>IStore</c>; the edge serves every <c>IAwsService</c> registered here.
/// </summary>
internal static class ServiceRegistration
{
    public static IServiceCollection AddPortolanServices(this IServiceCollection services, PortolanOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);

        // Core: the registry (single writer) and the snapshot every reader uses.
        services.AddPortolanRegistry(registry =>
        {
            registry.Region = options.Region;
            registry.Account = options.Account;
            registry.StrictAws = options.StrictAws;
        });

        // Load balancers, listeners, rules, target groups and targets (the ELBv2 API, the proxy and health engine use it).
        services.AddLoadBalancingRegistry();

        // AWS services on the edge. ECS and ELBv2 join the same way.
        services.AddCloudMapApi();
        services.AddElbApi();
        services.AddEcsRegistry();
        services.AddEcsApi();

        // Authoritative DNS for every DNS namespace, answered from the snapshot (after the registry: it starts
        // once the snapshot is loaded).
        services.AddPortolanDns(dns =>
        {
            dns.EndPoint = new IPEndPoint(options.DnsEndpoint.Address ?? IPAddress.Loopback, options.DnsEndpoint.Port);
            dns.Optional = options.DnsEndpoint == PortolanOptions.DefaultDnsEndpoint;
            foreach (var upstream in options.DnsForwarders)
            {
                dns.Forwarders.Add(new IPEndPoint(upstream.Address ?? IPAddress.Loopback, upstream.Port));
            }
        });

        // The web console on the API port (/console/): pages that call the AWS APIs above, plus read-only views.
        services.AddPortolanConsole();

        // Prometheus /metrics on the API port for every Portolan.* meter.
        services.AddPortolanMetrics();

        // Active health checks (Cloud Map HealthCheckConfig instances and target-group targets), after both
        // registries: crossings are written through them.
        // On a shared (etcd) store each check is probed by one node, chosen by cluster membership; alone, by this one.
        if (options.StoreUri.StartsWith("etcd://", StringComparison.Ordinal)) services.AddSingleton<IHealthCheckOwnership, ClusterOwnership>();
        services.AddPortolanHealth(health => health.CloudMapInterval = options.HealthInterval);

        // Cluster membership (leader, work ownership) after DNS: it advertises the DNS endpoint DNS bound.
        services.AddPortolanCluster(cluster =>
        {
            cluster.NodeId = options.NodeName ?? Environment.MachineName;
            cluster.Version = VersionInfo.Version;
        });
        services.AddSingleton<IConfigureOptions<ClusterOptions>>(sp => new ConfigureOptions<ClusterOptions>(
            cluster => cluster.Addresses = () => NodeAddresses.Of(sp)));

        // The load balancers' data plane: a port per listener, fed from the snapshot (after the registry, like DNS).
        services.AddPortolanProxyFromRegistry();

        // ECS tasks as local processes, and the service scheduler (last: on stop they go first, while DNS, the registry and
        // the cluster membership still work).
        services.AddPortolanTasks(tasks =>
        {
            tasks.DataDir = options.DataDir;
            tasks.HostAddress = options.TaskAddress ?? tasks.HostAddress;
        });
        // On a shared (etcd) store tasks are spread over the live nodes, and a lost node's tasks are replaced elsewhere.
        if (options.StoreUri.StartsWith("etcd://", StringComparison.Ordinal)) services.AddEcsClusterPlacement();

        return services;
    }
}
