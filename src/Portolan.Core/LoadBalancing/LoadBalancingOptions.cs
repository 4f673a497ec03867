namespace Portolan.Core.LoadBalancing;

/// <summary>
/// Quotas of the load-balancing registry. Each is 0 (the default) for "AWS's quota under <c>--strict-aws</c>,
/// otherwise unlimited", or a positive number that applies always. Structural limits (50 tags per resource, 5 target
/// groups per forward, 5 condition values per rule, priorities 1–50000) always apply.
/// </summary>
public sealed class LoadBalancingOptions
{
    /// <summary>Load balancers per region. <remarks>AWS: 50.</remarks></summary>
    public int MaxLoadBalancers { get; set; }

    /// <summary>Target groups per region. <remarks>AWS: 3000.</remarks></summary>
    public int MaxTargetGroups { get; set; }

    /// <summary>Listeners per load balancer. <remarks>AWS: 50.</remarks></summary>
    public int MaxListenersPerLoadBalancer { get; set; }

    /// <summary>Rules per load balancer, default rules not counted. <remarks>AWS: 100.</remarks></summary>
    public int MaxRulesPerLoadBalancer { get; set; }

    /// <summary>Targets per target group. <remarks>AWS: 1000 (targets per application load balancer).</remarks></summary>
    public int MaxTargetsPerTargetGroup { get; set; }

    /// <summary>Certificates per listener, the default one included. <remarks>AWS: 25.</remarks></summary>
    public int MaxCertificatesPerListener { get; set; }

    /// <summary>The quota in force: the configured one, else AWS's under strict mode, else 0 (none).</summary>
    public static int Effective(int configured, bool strict, int aws) => configured > 0 ? configured : strict ? aws : 0;
}
