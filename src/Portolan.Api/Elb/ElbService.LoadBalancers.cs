using Portolan.Core.LoadBalancing;

namespace Portolan.Api.Elb;

internal sealed partial class ElbService
{
    private async ValueTask CreateLoadBalancer(QueryInput i, QueryXml x, CancellationToken ct)
    {
        var type = i.Str("Type");
        if (type is not (null or "application"))
            throw Errors.Validation($"Load balancer type '{type}' is not supported: Portolan serves application load balancers");
        var subnets = i.List("Subnets");
        subnets.AddRange(i.Structs("SubnetMappings", p => i.Required(p + ".SubnetId")));
        var lb = await _registry.CreateLoadBalancerAsync(new CreateLoadBalancerCommand
        {
            Name = i.Required("Name"),
            Subnets = subnets,
            SecurityGroups = i.List("SecurityGroups"),
            Scheme = i.Enum<LoadBalancerScheme>("Scheme") ?? LoadBalancerScheme.InternetFacing,
            IpAddressType = i.Enum<IpAddressType>("IpAddressType") ?? IpAddressType.Ipv4,
            Tags = i.Tags("Tags"),
        }, ct);
        x.List("LoadBalancers", [lb], ElbWriter.LoadBalancer);
    }

    private ValueTask DescribeLoadBalancers(QueryInput i, QueryXml x)
    {
        var s = Current;
        var arns = i.List("LoadBalancerArns");
        var names = i.List("Names");
        if (arns.Count > 0 && names.Count > 0) throw Errors.Validation("Load balancer names and load balancer ARNs cannot be specified at the same time");
        IEnumerable<LoadBalancerEntry> all;
        if (arns.Count > 0)
        {
            all = arns.Distinct(StringComparer.Ordinal).Select(a => Require(s, a)).ToList();
        }
        else if (names.Count > 0)
        {
            var missing = names.Where(n => s.FindLoadBalancerByName(n) is null).ToList();
            if (missing.Count > 0) throw new Edge.AwsServiceException(ElbErrors.LoadBalancerNotFound, $"Load balancers '[{string.Join(", ", missing)}]' not found");
            all = names.Select(n => s.FindLoadBalancerByName(n)!).DistinctBy(e => e.Id).ToList();
        }
        else
        {
            all = s.LoadBalancers.Values;
        }

        var (page, next) = Paging.Page(all, e => e.Record.Name.ToLowerInvariant(), i);
        x.List("LoadBalancers", page.Select(e => e.Record), ElbWriter.LoadBalancer);
        x.Text("NextMarker", next);
        return ValueTask.CompletedTask;
    }

    private async ValueTask DeleteLoadBalancer(QueryInput i, CancellationToken ct) =>
        await _registry.DeleteLoadBalancerAsync(i.Required("LoadBalancerArn"), ct);

    private ValueTask DescribeLoadBalancerAttributes(QueryInput i, QueryXml x)
    {
        ElbWriter.Attributes(x, Require(Current, i.Required("LoadBalancerArn")).Record.Attributes);
        return ValueTask.CompletedTask;
    }

    private async ValueTask ModifyLoadBalancerAttributes(QueryInput i, QueryXml x, CancellationToken ct)
    {
        var arn = i.Required("LoadBalancerArn");
        var attributes = await _registry.ModifyLoadBalancerAttributesAsync(arn, Requests.Attributes(i), ct);
        ElbWriter.Attributes(x, attributes);
    }

    private async ValueTask SetSecurityGroups(QueryInput i, QueryXml x, CancellationToken ct)
    {
        var groups = i.List("SecurityGroups");
        if (!i.Has("SecurityGroups")) throw i.Missing("SecurityGroups");
        var lb = await _registry.SetSecurityGroupsAsync(i.Required("LoadBalancerArn"), groups, ct);
        x.Strings("SecurityGroupIds", lb.SecurityGroups);
    }

    private async ValueTask SetSubnets(QueryInput i, QueryXml x, CancellationToken ct)
    {
        var subnets = i.List("Subnets");
        subnets.AddRange(i.Structs("SubnetMappings", p => i.Required(p + ".SubnetId")));
        var lb = await _registry.SetSubnetsAsync(i.Required("LoadBalancerArn"), subnets, i.Enum<IpAddressType>("IpAddressType"), ct);
        ElbWriter.AvailabilityZones(x, lb);
        x.Text("IpAddressType", WireNames.Of(lb.IpAddressType));
    }

    private async ValueTask SetIpAddressType(QueryInput i, QueryXml x, CancellationToken ct)
    {
        var type = i.Enum<IpAddressType>("IpAddressType") ?? throw i.Missing("IpAddressType");
        var lb = await _registry.SetIpAddressTypeAsync(i.Required("LoadBalancerArn"), type, ct);
        x.Text("IpAddressType", WireNames.Of(lb.IpAddressType));
    }

    private static LoadBalancerEntry Require(LoadBalancingSnapshot s, string arn)
    {
        if (!ElbArns.IsWellFormed(arn, ElbResourceKind.LoadBalancer)) throw Errors.Validation($"'{arn}' is not a valid load balancer ARN");
        return s.FindLoadBalancer(arn) ?? throw new Edge.AwsServiceException(ElbErrors.LoadBalancerNotFound, "One or more load balancers not found");
    }
}
