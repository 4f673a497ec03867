using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using Portolan.Core.Registry;

namespace Portolan.Core.Discovery.Validation;

/// <summary>Instance attribute rules: the model's limits plus what the reserved AWS_* keys require (AWS-BEHAVIOUR.md §1.6).</summary>
public static partial class Attributes
{
    public const int MaxCustomAttributes = 30;
    public const int MaxTotalCharacters = 5000;

    [GeneratedRegex(@"^[a-zA-Z0-9!-~]+$")]
    private static partial Regex Key();

    [GeneratedRegex(@"^([a-zA-Z0-9!-~][ \ta-zA-Z0-9!-~]*){0,1}[a-zA-Z0-9!-~]{0,1}$")]
    private static partial Regex Value();

    public static void Validate(IReadOnlyDictionary<string, string>? attributes, ServiceRecord service, NamespaceRecord ns)
    {
        if (attributes is null) throw RegistryException.InvalidInput("Attributes are required.");
        var custom = 0;
        var total = 0;
        foreach (var (key, value) in attributes)
        {
            if (key.Length is 0 or > 255 || !Key().IsMatch(key)) throw RegistryException.InvalidInput($"Attribute key '{key}' is invalid: 1-255 printable ASCII characters.");
            if (value is null || value.Length > 1024 || !Value().IsMatch(value)) throw RegistryException.InvalidInput($"Attribute '{key}' has an invalid value: at most 1024 printable ASCII characters.");
            total += key.Length + value.Length;
            if (!key.StartsWith("AWS_", StringComparison.Ordinal)) custom++;
        }
        if (custom > MaxCustomAttributes) throw RegistryException.InvalidInput($"An instance can have at most {MaxCustomAttributes} custom attributes.");
        if (total > MaxTotalCharacters) throw RegistryException.InvalidInput($"Attribute keys and values together can have at most {MaxTotalCharacters} characters.");
        Reserved(attributes, service, ns);
    }

    private static void Reserved(IReadOnlyDictionary<string, string> a, ServiceRecord service, NamespaceRecord ns)
    {
        var ipv4 = a.GetValueOrDefault(ReservedAttributes.InstanceIpv4);
        var ipv6 = a.GetValueOrDefault(ReservedAttributes.InstanceIpv6);
        var port = a.GetValueOrDefault(ReservedAttributes.InstancePort);
        var cname = a.GetValueOrDefault(ReservedAttributes.InstanceCname);
        var alias = a.GetValueOrDefault(ReservedAttributes.AliasDnsName);
        var ec2 = a.GetValueOrDefault(ReservedAttributes.Ec2InstanceId);
        var init = a.GetValueOrDefault(ReservedAttributes.InitHealthStatus);

        if (ipv4 is not null && !IsAddress(ipv4, AddressFamily.InterNetwork)) throw RegistryException.InvalidInput($"AWS_INSTANCE_IPV4 '{ipv4}' is not an IPv4 address.");
        if (ipv6 is not null && !IsAddress(ipv6, AddressFamily.InterNetworkV6)) throw RegistryException.InvalidInput($"AWS_INSTANCE_IPV6 '{ipv6}' is not an IPv6 address.");
        if (port is not null && !(int.TryParse(port, System.Globalization.NumberStyles.None, null, out var p) && p is >= 0 and <= 65535))
            throw RegistryException.InvalidInput($"AWS_INSTANCE_PORT '{port}' is not a port number (0-65535).");
        if (init is not null && init is not ("HEALTHY" or "UNHEALTHY")) throw RegistryException.InvalidInput("AWS_INIT_HEALTH_STATUS must be HEALTHY or UNHEALTHY.");

        if (alias is not null)
        {
            if (ipv4 is not null || ipv6 is not null || port is not null || cname is not null)
                throw RegistryException.InvalidInput("AWS_ALIAS_DNS_NAME can't be combined with any AWS_INSTANCE_* attribute.");
            if (service.DnsConfig is not { RoutingPolicy: RoutingPolicy.Weighted } dc || !(dc.Has(RecordType.A) || dc.Has(RecordType.Aaaa)))
                throw RegistryException.InvalidInput("AWS_ALIAS_DNS_NAME requires a service with A or AAAA records and the WEIGHTED routing policy.");
        }

        if (ec2 is not null)
        {
            if (ns.Type != NamespaceType.Http) throw RegistryException.InvalidInput("AWS_EC2_INSTANCE_ID can only be used in HTTP namespaces.");
            foreach (var key in a.Keys)
            {
                if (key is not (ReservedAttributes.Ec2InstanceId or ReservedAttributes.InitHealthStatus) && key.StartsWith("AWS_", StringComparison.Ordinal))
                    throw RegistryException.InvalidInput("Only AWS_INIT_HEALTH_STATUS may accompany AWS_EC2_INSTANCE_ID.");
            }
        }

        if (service.DnsConfig is { } dns && alias is null)
        {
            if (dns.Has(RecordType.A) && ipv4 is null) throw RegistryException.InvalidInput("The service has an A record: AWS_INSTANCE_IPV4 is required.");
            if (dns.Has(RecordType.Aaaa) && ipv6 is null) throw RegistryException.InvalidInput("The service has an AAAA record: AWS_INSTANCE_IPV6 is required.");
            if (dns.Has(RecordType.Srv))
            {
                if (port is null) throw RegistryException.InvalidInput("The service has an SRV record: AWS_INSTANCE_PORT is required.");
                if (ipv4 is null && ipv6 is null) throw RegistryException.InvalidInput("The service has an SRV record: AWS_INSTANCE_IPV4 or AWS_INSTANCE_IPV6 is required.");
            }
            if (dns.Has(RecordType.Cname) && cname is null) throw RegistryException.InvalidInput("The service has a CNAME record: AWS_INSTANCE_CNAME is required.");
        }

        if (service.HealthCheckConfig is not null && port is null && alias is null)
            throw RegistryException.InvalidInput("The service has a health check: AWS_INSTANCE_PORT is required.");
    }

    private static bool IsAddress(string text, AddressFamily family) =>
        IPAddress.TryParse(text, out var ip) && ip.AddressFamily == family &&
        // IPAddress.TryParse accepts shorthand like "1" or "10.1"; Cloud Map wants dotted quads.
        (family != AddressFamily.InterNetwork || text.Count(c => c == '.') == 3);
}
