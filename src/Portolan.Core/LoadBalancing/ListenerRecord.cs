using System.Collections.Immutable;

namespace Portolan.Core.LoadBalancing;

/// <summary>
/// A certificate of an HTTPS listener. Portolan has no ACM: <see cref="CertificateArn"/> names a file on the serving
/// host (see <see cref="ListenerCertificates"/>); one certificate is the default, the others are offered by SNI.
/// </summary>
public sealed record ListenerCertificate(string CertificateArn, bool IsDefault);

/// <summary>
/// A listener as stored: a real TCP port on the host, the protocol spoken there, and the default actions (its default
/// rule, whose ARN is built from <see cref="DefaultRuleId"/>). Rules with priorities live in their own records.
/// </summary>
public sealed record ListenerRecord
{
    public required string Id { get; init; }
    public required string Arn { get; init; }
    public required string LoadBalancerArn { get; init; }
    public required int Port { get; init; }

    /// <summary><see cref="ElbProtocol.Http"/> (HTTP/1.1 and cleartext HTTP/2) or <see cref="ElbProtocol.Https"/> (ALPN h2/http1.1).</summary>
    public required ElbProtocol Protocol { get; init; }

    /// <summary>HTTPS only; one of <see cref="SslPolicies"/>, <c>ELBSecurityPolicy-2016-08</c> by default.</summary>
    public string? SslPolicy { get; init; }

    /// <summary>HTTPS only; exactly one is the default.</summary>
    public ImmutableArray<ListenerCertificate> Certificates { get; init; } = [];

    /// <summary>The ALPN policy the caller set (HTTPS only), or empty for "negotiate h2 and http/1.1".</summary>
    public ImmutableArray<string> AlpnPolicy { get; init; } = [];
    public required ImmutableArray<RuleAction> DefaultActions { get; init; }

    /// <summary>The id of the listener's default rule, which <c>DescribeRules</c> lists last with priority <c>default</c>.</summary>
    public required string DefaultRuleId { get; init; }
    public required string DefaultRuleArn { get; init; }
    public required DateTimeOffset CreatedTime { get; init; }

    public ListenerCertificate? DefaultCertificate
    {
        get
        {
            foreach (var c in Certificates)
            {
                if (c.IsDefault) return c;
            }
            return null;
        }
    }

    public bool Equals(ListenerRecord? other) =>
        other is not null && Id == other.Id && Arn == other.Arn && LoadBalancerArn == other.LoadBalancerArn && Port == other.Port
        && Protocol == other.Protocol && SslPolicy == other.SslPolicy && DefaultRuleId == other.DefaultRuleId
        && DefaultRuleArn == other.DefaultRuleArn && CreatedTime == other.CreatedTime
        && Structural.Equal(Certificates, other.Certificates) && Structural.Equal(AlpnPolicy, other.AlpnPolicy)
        && Structural.Equal(DefaultActions, other.DefaultActions);

    public override int GetHashCode() => HashCode.Combine(Id, Port, Protocol);
}
