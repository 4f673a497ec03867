using Portolan.Core.Registry;

namespace Portolan.Core.Discovery.Validation;

/// <summary>DnsConfig and health-check rules for services (AWS-BEHAVIOUR.md §1.3-1.4).</summary>
public static class ServiceConfig
{
    public static void Dns(DnsConfig dns, NamespaceRecord ns)
    {
        if (!ns.IsDns) throw RegistryException.InvalidInput($"Namespace {ns.Id} is an HTTP namespace: services in it can't have DnsConfig.");
        if (dns.DnsRecords.IsDefaultOrEmpty) throw RegistryException.InvalidInput("DnsConfig.DnsRecords must list at least one record.");

        var seen = new HashSet<RecordType>();
        foreach (var record in dns.DnsRecords)
        {
            if (!seen.Add(record.Type)) throw RegistryException.InvalidInput($"DnsConfig lists the {Wire(record.Type)} record type twice.");
            if (record.TTL is < 0 or > int.MaxValue) throw RegistryException.InvalidInput("DnsRecord TTL must be between 0 and 2147483647.");
        }

        // Documented: A, AAAA, A+AAAA, SRV, CNAME; A/AAAA with SRV is accepted as CloudFormation and ECS do.
        if (seen.Contains(RecordType.Cname))
        {
            if (seen.Count > 1) throw RegistryException.InvalidInput("A CNAME record can't be combined with other record types.");
            if (dns.RoutingPolicy != RoutingPolicy.Weighted) throw RegistryException.InvalidInput("CNAME records require the WEIGHTED routing policy.");
        }
    }

    public static void Health(HealthCheckConfig? check, HealthCheckCustomConfig? custom, DnsConfig? dns, NamespaceRecord ns, bool strictAws)
    {
        if (check is null) return;
        if (custom is not null) throw RegistryException.InvalidInput("A service can have HealthCheckConfig or HealthCheckCustomConfig, not both.");
        if (check.FailureThreshold is < 1 or > 10) throw RegistryException.InvalidInput("HealthCheckConfig.FailureThreshold must be between 1 and 10.");
        if (check.ResourcePath is { } path)
        {
            if (check.Type == HealthCheckType.Tcp) throw RegistryException.InvalidInput("ResourcePath can't be set for a TCP health check.");
            if (path.Length > 255) throw RegistryException.InvalidInput("ResourcePath must be at most 255 characters.");
        }
        if (dns is not null && dns.Has(RecordType.Cname)) throw RegistryException.InvalidInput("A service with a CNAME record can't have HealthCheckConfig.");
        if (strictAws && ns.Type == NamespaceType.DnsPrivate)
            throw RegistryException.InvalidInput("HealthCheckConfig is not supported in private DNS namespaces (strict AWS mode); use HealthCheckCustomConfig.");
    }

    public static string Wire(RecordType type) => type switch
    {
        RecordType.A => "A",
        RecordType.Aaaa => "AAAA",
        RecordType.Srv => "SRV",
        _ => "CNAME",
    };
}
