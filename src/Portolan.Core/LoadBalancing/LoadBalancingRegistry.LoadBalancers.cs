using System.Collections.Immutable;
using System.Globalization;
using System.Security.Cryptography;
using Portolan.Core.LoadBalancing.Validation;
using Portolan.Core.Registry;
using Portolan.Storage;
using static Portolan.Core.LoadBalancing.LoadBalancingKeys;

namespace Portolan.Core.LoadBalancing;

public sealed partial class LoadBalancingRegistry
{
    /// <summary>
    /// Creates an application load balancer, or returns the existing one when one of that name has the same settings
    /// (CreateLoadBalancer is idempotent on AWS); a different one of that name is DuplicateLoadBalancerName.
    /// </summary>
    public Task<LoadBalancerRecord> CreateLoadBalancerAsync(CreateLoadBalancerCommand cmd, CancellationToken ct = default)
    {
        var name = Names.LoadBalancer(cmd.Name);
        Validation.Tags.Validate(cmd.Tags);
        if (cmd.IpAddressType == IpAddressType.Ipv6) throw ElbErrors.Validation("IP address type must be ipv4 or dualstack");
        if (cmd.Subnets.Distinct(StringComparer.Ordinal).Count() != cmd.Subnets.Count) throw ElbErrors.Validation("A subnet can be specified only once");
        if (Strict && cmd.Subnets.Count < 2) throw ElbErrors.Validation("At least two subnets in two different Availability Zones must be specified");
        var subnets = cmd.Subnets.Select((id, i) => new SubnetZone(id, ZoneName(i))).ToImmutableArray();
        var groups = cmd.SecurityGroups.ToImmutableArray();

        return ConfigureAsync(s =>
        {
            if (s.FindLoadBalancerByName(name) is { } existing)
            {
                var r = existing.Record;
                if (r.Name == name && r.Scheme == cmd.Scheme && r.IpAddressType == cmd.IpAddressType
                    && r.Subnets.SequenceEqual(subnets) && r.SecurityGroups.SequenceEqual(groups))
                {
                    return new ConfigPlan<LoadBalancerRecord>(null, r);
                }
                throw new RegistryException(ElbErrors.DuplicateLoadBalancerName, $"A load balancer with the same name '{name}' exists, but with different settings");
            }
            CheckQuota(LoadBalancingOptions.Effective(_options.MaxLoadBalancers, Strict, 50), s.LoadBalancers.Count,
                ElbErrors.TooManyLoadBalancers, "You have reached the limit on the number of load balancers for your account");

            var id = ElbArns.NewId();
            var record = new LoadBalancerRecord
            {
                Id = id,
                Arn = Arns.LoadBalancer(name, id),
                Name = name,
                DnsName = DnsName(name, cmd.Scheme),
                CanonicalHostedZoneId = HostedZoneId(),
                Scheme = cmd.Scheme,
                IpAddressType = cmd.IpAddressType,
                State = LoadBalancerStateCode.Active,
                Subnets = subnets,
                SecurityGroups = groups,
                CreatedTime = Now(),
                Attributes = LoadBalancerAttributes.Defaults,
            };
            var ops = new List<TxnOp> { TxnOp.Put(LoadBalancer(id), LoadBalancingJson.Serialize(record)) };
            if (cmd.Tags.Count > 0) ops.Add(TagsWrite(record.Arn, cmd.Tags));
            return new ConfigPlan<LoadBalancerRecord>(ops, record);
        }, ct);
    }

    /// <summary>
    /// Deletes a load balancer with its listeners and rules (its target groups stay). As on AWS, deleting one that does
    /// not exist succeeds; deletion protection makes it OperationNotPermitted.
    /// </summary>
    public Task DeleteLoadBalancerAsync(string? arn, CancellationToken ct = default)
    {
        if (!ElbArns.IsWellFormed(arn, ElbResourceKind.LoadBalancer)) throw ElbErrors.Validation($"'{arn}' is not a valid load balancer ARN");
        return ConfigureAsync(s =>
        {
            if (s.FindLoadBalancer(arn) is not { } lb) return new ConfigPlan<bool>(null, false);
            if (lb.Record.Attributes.GetValueOrDefault(LoadBalancerAttributes.DeletionProtection) == "true")
                throw new RegistryException(ElbErrors.OperationNotPermitted, $"Load balancer '{arn}' cannot be deleted because deletion protection is enabled");
            var ops = new List<TxnOp> { TxnOp.Delete(LoadBalancer(lb.Id)), TxnOp.Delete(Tags(lb.Arn)) };
            foreach (var listener in s.ListenersOf(lb)) ops.AddRange(ListenerDeletes(listener));
            return new ConfigPlan<bool>(ops, true);
        }, ct);
    }

    /// <summary>Changes attributes; returns all of them afterwards.</summary>
    public Task<ImmutableSortedDictionary<string, string>> ModifyLoadBalancerAttributesAsync(
        string? arn, IReadOnlyList<KeyValuePair<string, string?>> changes, CancellationToken ct = default) =>
        ConfigureAsync(s =>
        {
            var lb = RequireLoadBalancer(s, arn);
            var attributes = LoadBalancerAttributes.Apply(lb.Record.Attributes, changes);
            return UpdateLoadBalancer(lb.Record with { Attributes = attributes }, attributes);
        }, ct);

    /// <summary>SetSecurityGroups: echoed, not enforced.</summary>
    public Task<LoadBalancerRecord> SetSecurityGroupsAsync(string? arn, IReadOnlyList<string> securityGroups, CancellationToken ct = default) =>
        ConfigureAsync(s =>
        {
            var lb = RequireLoadBalancer(s, arn);
            var record = lb.Record with { SecurityGroups = securityGroups.Distinct(StringComparer.Ordinal).ToImmutableArray() };
            return UpdateLoadBalancer(record, record);
        }, ct);

    /// <summary>SetSubnets (and optionally the IP address type): echoed, not enforced.</summary>
    public Task<LoadBalancerRecord> SetSubnetsAsync(string? arn, IReadOnlyList<string> subnets, IpAddressType? ipAddressType, CancellationToken ct = default)
    {
        if (subnets.Count == 0 || subnets.Distinct(StringComparer.Ordinal).Count() != subnets.Count)
            throw ElbErrors.Validation("Subnets must be given, each once");
        if (Strict && subnets.Count < 2) throw ElbErrors.Validation("At least two subnets in two different Availability Zones must be specified");
        if (ipAddressType == IpAddressType.Ipv6) throw ElbErrors.Validation("IP address type must be ipv4 or dualstack");
        return ConfigureAsync(s =>
        {
            var lb = RequireLoadBalancer(s, arn);
            var record = lb.Record with
            {
                Subnets = subnets.Select((id, i) => new SubnetZone(id, ZoneName(i))).ToImmutableArray(),
                IpAddressType = ipAddressType ?? lb.Record.IpAddressType,
            };
            return UpdateLoadBalancer(record, record);
        }, ct);
    }

    public Task<LoadBalancerRecord> SetIpAddressTypeAsync(string? arn, IpAddressType ipAddressType, CancellationToken ct = default)
    {
        if (ipAddressType == IpAddressType.Ipv6) throw ElbErrors.Validation("IP address type must be ipv4 or dualstack");
        return ConfigureAsync(s =>
        {
            var lb = RequireLoadBalancer(s, arn);
            var record = lb.Record with { IpAddressType = ipAddressType };
            return UpdateLoadBalancer(record, record);
        }, ct);
    }

    /// <summary>
    /// The data plane's report on a load balancer: <see cref="LoadBalancerStateCode.ActiveImpaired"/> with a reason when a
    /// listener can't be served (its port is taken by another program), <see cref="LoadBalancerStateCode.Active"/> when
    /// all are. Writes only on change; does nothing if the load balancer is gone.
    /// </summary>
    public Task SetLoadBalancerStateAsync(string loadBalancerArn, LoadBalancerStateCode state, string? reason, CancellationToken ct = default) =>
        ConfigureAsync(s =>
        {
            if (s.FindLoadBalancer(loadBalancerArn) is not { } lb || (lb.Record.State == state && lb.Record.StateReason == reason))
                return new ConfigPlan<bool>(null, false);
            return UpdateLoadBalancer(lb.Record with { State = state, StateReason = reason }, true);
        }, ct);

    private static ConfigPlan<T> UpdateLoadBalancer<T>(LoadBalancerRecord record, T result) =>
        new([TxnOp.Put(LoadBalancer(record.Id), LoadBalancingJson.Serialize(record))], result);

    /// <summary>Availability zones for subnets in the order given: us-east-1a, us-east-1b, … (cycling after f).</summary>
    private string ZoneName(int index) => _registryOptions.Region + (char)('a' + (index % 6));

    /// <summary>
    /// <c>[internal-]name-NNNNNNNNNN.region.elb.localhost</c>: AWS's shape (<c>…elb.amazonaws.com</c>) under
    /// <c>.localhost</c>, which resolves to this host (RFC 6761).
    /// </summary>
    private string DnsName(string name, LoadBalancerScheme scheme)
    {
        var digits = RandomNumberGenerator.GetInt32(1_000_000_000, int.MaxValue).ToString(CultureInfo.InvariantCulture);
        var prefix = scheme == LoadBalancerScheme.Internal ? "internal-" : "";
        return $"{prefix}{name.ToLowerInvariant()}-{digits}.{_registryOptions.Region}.elb.localhost";
    }

    /// <summary>ELB's canonical hosted zone per region (for Route 53 alias records on AWS); a stable made-up one elsewhere.</summary>
    private string HostedZoneId() => _registryOptions.Region switch
    {
        "us-east-1" => "Z35SXDOTRQ7X7K",
        "us-east-2" => "Z3AADJGX6KTTL2",
        "us-west-1" => "Z368ELLRRE2KJ0",
        "us-west-2" => "Z1H1FL5HABSF5",
        "eu-west-1" => "Z32O12XQLNTSW2",
        "eu-central-1" => "Z215JYRZR1TBD5",
        var region => "Z" + Convert.ToHexString(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(region)))[..13],
    };
}
