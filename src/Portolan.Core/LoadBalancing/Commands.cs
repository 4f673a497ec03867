using System.Collections.Immutable;
using Portolan.Core.LoadBalancing.Validation;

namespace Portolan.Core.LoadBalancing;

/// <summary>CreateLoadBalancer. Subnets, security groups and the VPC are echoed, not enforced.</summary>
public sealed record CreateLoadBalancerCommand
{
    public string? Name { get; init; }
    public IReadOnlyList<string> Subnets { get; init; } = [];
    public IReadOnlyList<string> SecurityGroups { get; init; } = [];
    public LoadBalancerScheme Scheme { get; init; } = LoadBalancerScheme.InternetFacing;
    public IpAddressType IpAddressType { get; init; } = IpAddressType.Ipv4;
    public IReadOnlyList<KeyValuePair<string, string?>> Tags { get; init; } = [];
}

public sealed record CreateTargetGroupCommand
{
    public string? Name { get; init; }
    public ElbProtocol? Protocol { get; init; }
    public ProtocolVersion? ProtocolVersion { get; init; }
    public int? Port { get; init; }
    public string? VpcId { get; init; }
    public TargetType TargetType { get; init; } = TargetType.Instance;
    public IpAddressType IpAddressType { get; init; } = IpAddressType.Ipv4;
    public HealthCheckInput HealthCheck { get; init; } = new();
    public IReadOnlyList<KeyValuePair<string, string?>> Tags { get; init; } = [];
}

public sealed record CreateListenerCommand
{
    public required string LoadBalancerArn { get; init; }
    public ElbProtocol? Protocol { get; init; }
    public int? Port { get; init; }
    public string? SslPolicy { get; init; }
    public IReadOnlyList<string> CertificateArns { get; init; } = [];
    public IReadOnlyList<string> AlpnPolicy { get; init; } = [];
    public ImmutableArray<RuleAction> DefaultActions { get; init; } = [];
    public IReadOnlyList<KeyValuePair<string, string?>> Tags { get; init; } = [];
}

/// <summary>ModifyListener: null members stay as they are.</summary>
public sealed record ModifyListenerCommand
{
    public required string ListenerArn { get; init; }
    public ElbProtocol? Protocol { get; init; }
    public int? Port { get; init; }
    public string? SslPolicy { get; init; }
    public IReadOnlyList<string>? CertificateArns { get; init; }
    public IReadOnlyList<string>? AlpnPolicy { get; init; }
    public ImmutableArray<RuleAction>? DefaultActions { get; init; }
}

public sealed record CreateRuleCommand
{
    public required string ListenerArn { get; init; }
    public int Priority { get; init; }
    public ImmutableArray<RuleCondition> Conditions { get; init; } = [];
    public ImmutableArray<RuleAction> Actions { get; init; } = [];
    public IReadOnlyList<KeyValuePair<string, string?>> Tags { get; init; } = [];
}

/// <summary>ModifyRule: null members stay as they are. On a default rule only the actions can change.</summary>
public sealed record ModifyRuleCommand
{
    public required string RuleArn { get; init; }
    public ImmutableArray<RuleCondition>? Conditions { get; init; }
    public ImmutableArray<RuleAction>? Actions { get; init; }
}
