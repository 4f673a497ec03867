using System.Globalization;
using Portolan.Core.LoadBalancing;

namespace Portolan.Api.Elb;

internal sealed partial class ElbService
{
    /// <summary>
    /// The quotas this server applies, under ELB's names for application load balancers; <c>unlimited</c> where Portolan
    /// sets none (outside <c>--strict-aws</c>, see <see cref="LoadBalancingOptions"/>).
    /// </summary>
    private ValueTask DescribeAccountLimits(QueryInput i, QueryXml x)
    {
        var strict = _registryOptions.StrictAws;
        string Max(int configured, int aws) => LoadBalancingOptions.Effective(configured, strict, aws) is > 0 and var n
            ? n.ToString(CultureInfo.InvariantCulture) : "unlimited";
        (string Name, string Max)[] limits =
        [
            ("application-load-balancers", Max(_options.MaxLoadBalancers, 50)),
            ("target-groups", Max(_options.MaxTargetGroups, 3000)),
            ("listeners-per-application-load-balancer", Max(_options.MaxListenersPerLoadBalancer, 50)),
            ("rules-per-application-load-balancer", Max(_options.MaxRulesPerLoadBalancer, 100)),
            ("targets-per-application-load-balancer", Max(_options.MaxTargetsPerTargetGroup, 1000)),
            ("certificates-per-application-load-balancer", Max(_options.MaxCertificatesPerListener, 25)),
            ("condition-values-per-alb-rule", "5"),
            ("condition-wildcards-per-alb-rule", "5"),
            ("target-groups-per-action-on-application-load-balancer", "5"),
        ];
        var (page, next) = Paging.Page(limits, l => l.Name, i);
        x.List("Limits", page, static (x, l) =>
        {
            x.Text("Name", l.Name);
            x.Text("Max", l.Max);
        });
        x.Text("NextMarker", next);
        return ValueTask.CompletedTask;
    }

    /// <summary>ELB's TLS policies with the protocol versions each allows (no cipher list: the host's OpenSSL decides).</summary>
    private static ValueTask DescribeSslPolicies(QueryInput i, QueryXml x)
    {
        var names = i.List("Names");
        var type = i.Enum<LoadBalancerTypeFilter>("LoadBalancerType");
        var unknown = names.FirstOrDefault(n => !SslPolicies.Exists(n));
        if (unknown is not null) throw new Edge.AwsServiceException(ElbErrors.SslPolicyNotFound, $"SSL policy '{unknown}' not found");
        var all = type is null or LoadBalancerTypeFilter.Application ? (names.Count > 0 ? names.Distinct(StringComparer.Ordinal) : SslPolicies.Names) : [];
        var (page, next) = Paging.Page(all, n => n, i);
        x.List("SslPolicies", page, static (x, name) =>
        {
            x.Strings("SslProtocols", SslPolicies.ProtocolNames(SslPolicies.Protocols(name)));
            x.Empty("Ciphers");
            x.Text("Name", name);
            x.Strings("SupportedLoadBalancerTypes", ["application"]);
        });
        x.Text("NextMarker", next);
        return ValueTask.CompletedTask;
    }

    /// <summary>The values of DescribeSSLPolicies' LoadBalancerType filter.</summary>
    [System.Text.Json.Serialization.JsonConverter(typeof(System.Text.Json.Serialization.JsonStringEnumConverter<LoadBalancerTypeFilter>))]
    internal enum LoadBalancerTypeFilter
    {
        [System.Text.Json.Serialization.JsonStringEnumMemberName("application")] Application,
        [System.Text.Json.Serialization.JsonStringEnumMemberName("network")] Network,
        [System.Text.Json.Serialization.JsonStringEnumMemberName("gateway")] Gateway,
    }
}
