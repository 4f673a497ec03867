using System.Collections.Immutable;

namespace Portolan.Core.LoadBalancing;

/// <summary>A subnet the load balancer was created in, and the availability zone Portolan assigned to it.</summary>
public sealed record SubnetZone(string SubnetId, string ZoneName);

/// <summary>
/// An application load balancer as stored. Immutable; every change writes a new record.
/// Subnets, security groups and the VPC are accepted and echoed as AWS requires them, but not enforced: listeners
/// bind real ports on the host that serves them (see <see cref="DnsName"/>).
/// </summary>
public sealed record LoadBalancerRecord
{
    /// <summary>The 16 hex digits that end the ARN (<c>…:loadbalancer/app/demo-alb/50dc6c495c0c9188</c>).</summary>
    public required string Id { get; init; }
    public required string Arn { get; init; }
    public required string Name { get; init; }

    /// <summary>
    /// <c>[internal-]&lt;name&gt;-&lt;10 digits&gt;.&lt;region&gt;.elb.localhost</c>: the shape of AWS's
    /// <c>…elb.amazonaws.com</c> names under <c>.localhost</c>, which resolves to loopback on this host (RFC 6761;
    /// glibc with libnss-myhostname, curl, browsers), where the listeners are: <c>curl http://DNSName:PORT/</c> works.
    /// </summary>
    public required string DnsName { get; init; }
    public required string CanonicalHostedZoneId { get; init; }
    public LoadBalancerScheme Scheme { get; init; } = LoadBalancerScheme.InternetFacing;
    public IpAddressType IpAddressType { get; init; } = IpAddressType.Ipv4;
    public LoadBalancerStateCode State { get; init; } = LoadBalancerStateCode.Active;

    /// <summary>Why the state is not active, as the data plane reported it.</summary>
    public string? StateReason { get; init; }
    public string? VpcId { get; init; }
    public ImmutableArray<SubnetZone> Subnets { get; init; } = [];
    public ImmutableArray<string> SecurityGroups { get; init; } = [];
    public required DateTimeOffset CreatedTime { get; init; }

    /// <summary>Every attribute with its current value, defaults included (keys in <see cref="LoadBalancerAttributes"/>).</summary>
    public ImmutableSortedDictionary<string, string> Attributes { get; init; } = ImmutableSortedDictionary<string, string>.Empty;

    public bool Equals(LoadBalancerRecord? other) =>
        other is not null && Id == other.Id && Arn == other.Arn && Name == other.Name && DnsName == other.DnsName
        && CanonicalHostedZoneId == other.CanonicalHostedZoneId && Scheme == other.Scheme && IpAddressType == other.IpAddressType
        && State == other.State && StateReason == other.StateReason && VpcId == other.VpcId && CreatedTime == other.CreatedTime
        && Structural.Equal(Subnets, other.Subnets) && Structural.Equal(SecurityGroups, other.SecurityGroups)
        && Structural.Equal(Attributes, other.Attributes);

    public override int GetHashCode() => HashCode.Combine(Id, Name, State);
}
