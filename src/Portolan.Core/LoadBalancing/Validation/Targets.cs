using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using Portolan.Core.Registry;

namespace Portolan.Core.LoadBalancing.Validation;

/// <summary>A target as RegisterTargets, DeregisterTargets and DescribeTargetHealth name it; the port defaults to the group's.</summary>
public sealed record TargetDescription(string? Id, int? Port = null, string? AvailabilityZone = null);

/// <summary>
/// Target rules: ip groups take IP addresses of the group's family (any address, loopback included: Portolan's targets
/// are on this host's networks, not in a VPC), instance groups take instance ids (<c>i-</c> + 8 or 17 hex digits);
/// ports 1–65535. Bad ones are InvalidTarget, as on AWS.
/// </summary>
public static partial class Targets
{
    public static TargetKey Key(TargetGroupRecord tg, TargetDescription t)
    {
        if (string.IsNullOrEmpty(t.Id)) throw ElbErrors.Validation("A target must have an Id");
        var port = t.Port ?? tg.Port;
        if (port is < 1 or > 65535) throw Invalid($"The port of target '{t.Id}' must be between 1 and 65535");
        if (tg.TargetType == TargetType.Ip)
        {
            if (!IPAddress.TryParse(t.Id, out var ip) || t.Id.Contains('/', StringComparison.Ordinal))
                throw Invalid($"The IP address '{t.Id}' is not a valid IPv4 or IPv6 address");
            var family = tg.IpAddressType == IpAddressType.Ipv6 ? AddressFamily.InterNetworkV6 : AddressFamily.InterNetwork;
            if (ip.AddressFamily != family)
                throw Invalid($"The IP address '{t.Id}' is not an {(family == AddressFamily.InterNetwork ? "IPv4" : "IPv6")} address, as the target group's IP address type requires");
            // Stored canonically so that "10.0.0.01"-style spellings can't register the same target twice.
            return new TargetKey(ip.ToString(), port);
        }
        if (!InstanceId().IsMatch(t.Id)) throw Invalid($"The instance ID '{t.Id}' is not valid (i- and 8 or 17 hex digits)");
        return new TargetKey(t.Id, port);
    }

    public static RegistryException Invalid(string message) => new(ElbErrors.InvalidTarget, message);

    [GeneratedRegex("^i-([0-9a-f]{8}|[0-9a-f]{17})$")]
    private static partial Regex InstanceId();
}
