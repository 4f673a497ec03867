using System.Collections.Frozen;
using Portolan.Api.Edge;
using Portolan.Core.LoadBalancing;
using Portolan.Core.Registry;

namespace Portolan.Api.Elb;

/// <summary>
/// Elastic Load Balancing v2 (<c>elasticloadbalancing</c>, Query protocol, Version 2015-12-01): every operation of the
/// API that Debian's CLI 2.9.19 knows, for application load balancers. Writes go through the
/// <see cref="LoadBalancingRegistry"/>; reads come from the snapshot, which already holds each caller's own writes.
/// </summary>
internal sealed partial class ElbService : IAwsService
{
    public const string Namespace = "http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/";

    private delegate ValueTask Handler(ElbService self, QueryInput input, QueryXml xml, CancellationToken ct);

    private static readonly FrozenDictionary<string, Handler> Handlers = new Dictionary<string, Handler>
    {
        ["CreateLoadBalancer"] = static (s, i, x, ct) => s.CreateLoadBalancer(i, x, ct),
        ["DescribeLoadBalancers"] = static (s, i, x, _) => s.DescribeLoadBalancers(i, x),
        ["DeleteLoadBalancer"] = static (s, i, x, ct) => s.DeleteLoadBalancer(i, ct),
        ["DescribeLoadBalancerAttributes"] = static (s, i, x, _) => s.DescribeLoadBalancerAttributes(i, x),
        ["ModifyLoadBalancerAttributes"] = static (s, i, x, ct) => s.ModifyLoadBalancerAttributes(i, x, ct),
        ["SetSecurityGroups"] = static (s, i, x, ct) => s.SetSecurityGroups(i, x, ct),
        ["SetSubnets"] = static (s, i, x, ct) => s.SetSubnets(i, x, ct),
        ["SetIpAddressType"] = static (s, i, x, ct) => s.SetIpAddressType(i, x, ct),
        ["CreateTargetGroup"] = static (s, i, x, ct) => s.CreateTargetGroup(i, x, ct),
        ["DescribeTargetGroups"] = static (s, i, x, _) => s.DescribeTargetGroups(i, x),
        ["ModifyTargetGroup"] = static (s, i, x, ct) => s.ModifyTargetGroup(i, x, ct),
        ["DescribeTargetGroupAttributes"] = static (s, i, x, _) => s.DescribeTargetGroupAttributes(i, x),
        ["ModifyTargetGroupAttributes"] = static (s, i, x, ct) => s.ModifyTargetGroupAttributes(i, x, ct),
        ["DeleteTargetGroup"] = static (s, i, x, ct) => s.DeleteTargetGroup(i, ct),
        ["RegisterTargets"] = static (s, i, x, ct) => s.RegisterTargets(i, ct),
        ["DeregisterTargets"] = static (s, i, x, ct) => s.DeregisterTargets(i, ct),
        ["DescribeTargetHealth"] = static (s, i, x, _) => s.DescribeTargetHealth(i, x),
        ["CreateListener"] = static (s, i, x, ct) => s.CreateListener(i, x, ct),
        ["DescribeListeners"] = static (s, i, x, _) => s.DescribeListeners(i, x),
        ["ModifyListener"] = static (s, i, x, ct) => s.ModifyListener(i, x, ct),
        ["DeleteListener"] = static (s, i, x, ct) => s.DeleteListener(i, ct),
        ["AddListenerCertificates"] = static (s, i, x, ct) => s.AddListenerCertificates(i, x, ct),
        ["RemoveListenerCertificates"] = static (s, i, x, ct) => s.RemoveListenerCertificates(i, ct),
        ["DescribeListenerCertificates"] = static (s, i, x, _) => s.DescribeListenerCertificates(i, x),
        ["CreateRule"] = static (s, i, x, ct) => s.CreateRule(i, x, ct),
        ["DescribeRules"] = static (s, i, x, _) => s.DescribeRules(i, x),
        ["ModifyRule"] = static (s, i, x, ct) => s.ModifyRule(i, x, ct),
        ["DeleteRule"] = static (s, i, x, ct) => s.DeleteRule(i, ct),
        ["SetRulePriorities"] = static (s, i, x, ct) => s.SetRulePriorities(i, x, ct),
        ["AddTags"] = static (s, i, x, ct) => s.AddTags(i, ct),
        ["RemoveTags"] = static (s, i, x, ct) => s.RemoveTags(i, ct),
        ["DescribeTags"] = static (s, i, x, _) => s.DescribeTags(i, x),
        ["DescribeAccountLimits"] = static (s, i, x, _) => s.DescribeAccountLimits(i, x),
        ["DescribeSSLPolicies"] = static (_, i, x, _) => DescribeSslPolicies(i, x),
    }.ToFrozenDictionary(StringComparer.Ordinal);

    private readonly LoadBalancingRegistry _registry;
    private readonly LoadBalancingOptions _options;
    private readonly RegistryOptions _registryOptions;
    private readonly IHealthCheckProgress? _healthChecks;

    /// <param name="healthChecks">The health engine's progress, when one runs here (tells the two <c>initial</c> reasons apart).</param>
    public ElbService(LoadBalancingRegistry registry, Microsoft.Extensions.Options.IOptions<LoadBalancingOptions> options,
        Microsoft.Extensions.Options.IOptions<RegistryOptions> registryOptions, IHealthCheckProgress? healthChecks = null)
    {
        _registry = registry;
        _options = options.Value;
        _registryOptions = registryOptions.Value;
        _healthChecks = healthChecks;
    }

    public string SigningName => "elasticloadbalancing";
    public string? JsonTargetPrefix => null;
    public string? QueryVersion => "2015-12-01";
    public string JsonErrorMessageMember => "Message";
    public string? XmlNamespace => Namespace;

    /// <summary>The names of every operation served, for tests.</summary>
    public static IEnumerable<string> OperationNames => Handlers.Keys;

    private LoadBalancingSnapshot Current => _registry.Current;

    public async ValueTask InvokeAsync(AwsCall call, CancellationToken cancellationToken)
    {
        if (!Handlers.TryGetValue(call.Operation, out var handler)) throw AwsServiceException.UnknownOperation(call.Operation);
        try
        {
            await handler(this, new QueryInput(call.Form), new QueryXml(call.Output), cancellationToken);
        }
        catch (RegistryException e)
        {
            throw new AwsServiceException(e.Code, e.Message);
        }
    }
}
