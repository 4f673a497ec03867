using System.Security.Cryptography;

namespace Portolan.Core.LoadBalancing;

/// <summary>What an ELB ARN names.</summary>
public enum ElbResourceKind { LoadBalancer, TargetGroup, Listener, Rule }

/// <summary>
/// ARNs and ids as ELB writes them; every id is 16 lower-case hex digits:
/// <code>
/// arn:aws:elasticloadbalancing:us-east-1:000000000000:loadbalancer/app/demo-alb/50dc6c495c0c9188
/// arn:aws:elasticloadbalancing:us-east-1:000000000000:targetgroup/echo-grpc/fedcba9876543210
/// arn:aws:elasticloadbalancing:us-east-1:000000000000:listener/app/demo-alb/50dc6c495c0c9188/f2f7dc8efc522ab2
/// arn:aws:elasticloadbalancing:us-east-1:000000000000:listener-rule/app/demo-alb/50dc6c495c0c9188/f2f7dc8efc522ab2/9683b2d02a6cabee
/// </code>
/// </summary>
public sealed class ElbArns(string region, string account)
{
    public string Region { get; } = region;
    public string Account { get; } = account;
    private string Prefix => $"arn:aws:elasticloadbalancing:{Region}:{Account}:";

    public string LoadBalancer(string name, string id) => $"{Prefix}loadbalancer/app/{name}/{id}";
    public string TargetGroup(string name, string id) => $"{Prefix}targetgroup/{name}/{id}";
    public static string Listener(string loadBalancerArn, string id) => Child(loadBalancerArn, ":loadbalancer/", ":listener/", id);
    public static string Rule(string listenerArn, string id) => Child(listenerArn, ":listener/", ":listener-rule/", id);

    /// <summary>A new 16-hex-digit id.</summary>
    public static string NewId() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));

    /// <summary>
    /// Whether <paramref name="arn"/> has the shape of an ELB ARN of <paramref name="kind"/> (any region/account):
    /// a malformed ARN is a ValidationError, a well-formed one that names nothing is "not found".
    /// </summary>
    public static bool IsWellFormed(string? arn, ElbResourceKind kind)
    {
        if (arn is null || !arn.StartsWith("arn:aws:elasticloadbalancing:", StringComparison.Ordinal)) return false;
        var parts = arn.Split(':');
        if (parts.Length != 6) return false;
        var path = parts[5].Split('/');
        return kind switch
        {
            ElbResourceKind.LoadBalancer => path is ["loadbalancer", "app", { Length: > 0 }, var id] && IsId(id),
            ElbResourceKind.TargetGroup => path is ["targetgroup", { Length: > 0 }, var id] && IsId(id),
            ElbResourceKind.Listener => path is ["listener", "app", { Length: > 0 }, var lb, var id] && IsId(lb) && IsId(id),
            ElbResourceKind.Rule => path is ["listener-rule", "app", { Length: > 0 }, var lb, var l, var id] && IsId(lb) && IsId(l) && IsId(id),
            _ => false,
        };
    }

    /// <summary>The kind of a well-formed ELB ARN, or null.</summary>
    public static ElbResourceKind? KindOf(string? arn)
    {
        foreach (var kind in (ElbResourceKind[])[ElbResourceKind.LoadBalancer, ElbResourceKind.TargetGroup, ElbResourceKind.Listener, ElbResourceKind.Rule])
        {
            if (IsWellFormed(arn, kind)) return kind;
        }
        return null;
    }

    /// <summary>The id that ends an ARN.</summary>
    public static string IdOf(string arn) => arn[(arn.LastIndexOf('/') + 1)..];

    private static bool IsId(string s) => s.Length == 16 && s.All(char.IsAsciiHexDigitLower);

    private static string Child(string parentArn, string parentType, string childType, string id) =>
        parentArn.Replace(parentType, childType, StringComparison.Ordinal) + "/" + id;
}
