using System.Collections.Frozen;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Portolan.Core.Discovery;
using Portolan.Core.Snapshots;
using Portolan.Dns.Wire;

namespace Portolan.Dns.Zones;

/// <summary>
/// Turns a registry snapshot into a <see cref="ZoneView"/>, making records as Cloud Map does
/// (AWS-BEHAVIOUR.md §1.2-1.3): A/AAAA from AWS_INSTANCE_IPV4/IPV6, CNAME from AWS_INSTANCE_CNAME, and SRV
/// <c>1 1 &lt;AWS_INSTANCE_PORT&gt; &lt;instance-id&gt;.&lt;service&gt;.&lt;namespace&gt;</c> whose target names resolve to the
/// instance's addresses. Every DNS namespace (private or public) is a zone; HTTP namespaces and API-only
/// services have no DNS names. Data that cannot be a DNS name (an instance id over 63 octets, say) is left out
/// rather than failing the build.
/// </summary>
internal static class ZoneViewBuilder
{
    // SOA timers as Route 53 sets them; Portolan never transfers zones, so only MINIMUM matters to anyone.
    private const uint SoaRefresh = 7200;
    private const uint SoaRetry = 900;
    private const uint SoaExpire = 1209600;

    /// <summary>The SOA TTL of a namespace that has none recorded (the registry's default).</summary>
    private const long DefaultSoaTtl = 15;

    public static ZoneView Build(RegistrySnapshot snapshot, ZoneViewOptions options, ZoneView? previous = null)
    {
        if (!DnsName.TryEncode(options.NameServer, out var nameServer)) throw new ArgumentException($"'{options.NameServer}' is not a DNS name.", nameof(options));
        if (!DnsName.TryEncode(options.Hostmaster, out var hostmaster)) throw new ArgumentException($"'{options.Hostmaster}' is not a DNS name.", nameof(options));

        var zones = new Dictionary<byte[], Zone>(NameComparer.Instance);
        var zoneOfNamespace = new Dictionary<string, Zone>(StringComparer.Ordinal);
        foreach (var ns in snapshot.Namespaces.Values)
        {
            if (!ns.Record.IsDns || !DnsName.TryEncode(ns.Record.Name, out var apex) || zones.ContainsKey(apex)) continue;
            var ttl = RecordTail.Ttl(ns.Record.SoaTtl ?? DefaultSoaTtl);
            var soa = RecordTail.Soa(ttl, nameServer, hostmaster, unchecked((uint)snapshot.Revision), SoaRefresh, SoaRetry, SoaExpire, ttl);
            var zone = new Zone(ns.Record.Name, apex, soa, RecordTail.Ns(ttl, nameServer), ttl);
            zones[apex] = zone;
            zoneOfNamespace[ns.Id] = zone;
        }

        var names = new Dictionary<byte[], ZoneName>(NameComparer.Instance);
        foreach (var zone in zones.Values) names[zone.Apex] = new ZoneName(new NameNode { IsApex = true }, zone);

        var built = new Dictionary<string, BuiltService>(StringComparer.Ordinal);
        var instanceNames = 0;
        foreach (var service in snapshot.Services.Values)
        {
            if (service.Record.DnsConfig is null
                || !snapshot.Namespaces.TryGetValue(service.Record.NamespaceId, out var ns)
                || !zoneOfNamespace.TryGetValue(ns.Id, out var zone))
            {
                continue;
            }

            var result = previous is not null && previous.Services.TryGetValue(service.Id, out var old)
                && ReferenceEquals(old.Entry, service) && ReferenceEquals(old.Namespace, ns.Record)
                ? old
                : BuildService(service, ns.Record, zone.Apex);
            if (result is null) continue;
            built[service.Id] = result;

            // A name under a more specific namespace (service "x.b" of a.example while b.a.example is a namespace
            // too) belongs to that zone; the apex and its own names win.
            if (FindZone(zones, result.Owner) != zone) continue;
            if (names.TryGetValue(result.Owner, out var existing) && !existing.Node.IsEmptyNonTerminal) continue;
            names[result.Owner] = new ZoneName(new NameNode { Service = result.Records, Instances = result.Instances }, zone);
            instanceNames += result.Instances.Count;
            AddEmptyNonTerminals(names, zone, result.Owner);
        }

        return new ZoneView(snapshot.Revision, names, zones, built.ToFrozenDictionary(StringComparer.Ordinal), instanceNames);
    }

    private static BuiltService? BuildService(ServiceEntry service, NamespaceRecord ns, byte[] apex)
    {
        var dns = service.Record.DnsConfig!;
        if (!DnsName.TryEncode(service.Record.Name, out var relative) || !DnsName.TryConcat(relative.AsSpan(0, relative.Length - 1), apex, out var owner))
        {
            return null;
        }

        var a = dns.Has(RecordType.A) ? new ChoicesBuilder() : null;
        var aaaa = dns.Has(RecordType.Aaaa) ? new ChoicesBuilder() : null;
        var srv = dns.Has(RecordType.Srv) ? new ChoicesBuilder() : null;
        var cname = dns.Has(RecordType.Cname) ? new ChoicesBuilder() : null;
        var instanceNames = new List<InstanceName>();
        foreach (var instance in service.Instances.Values)
        {
            var attributes = instance.Record.Attributes;
            // Without a health check every instance counts as healthy; with one, only UNHEALTHY is left out
            // (UNKNOWN, briefly after registration, is not known to be bad).
            var healthy = !service.Record.HasHealthCheck || service.StatusOf(instance.Id) != HealthStatus.Unhealthy;
            var ipv4 = Address(attributes, ReservedAttributes.InstanceIpv4, AddressFamily.InterNetwork);
            var ipv6 = Address(attributes, ReservedAttributes.InstanceIpv6, AddressFamily.InterNetworkV6);
            if (a is not null && ipv4 is not null) a.Add(new Candidate(RecordTail.A(Ttl(dns, RecordType.A), ipv4)), healthy);
            if (aaaa is not null && ipv6 is not null) aaaa.Add(new Candidate(RecordTail.Aaaa(Ttl(dns, RecordType.Aaaa), ipv6)), healthy);
            if (cname is not null && attributes.TryGetValue(ReservedAttributes.InstanceCname, out var target) && DnsName.TryEncode(target, out var targetName))
            {
                cname.Add(new Candidate(RecordTail.Cname(Ttl(dns, RecordType.Cname), targetName)), healthy);
            }

            if (srv is not null && (ipv4 is not null || ipv6 is not null)
                && attributes.TryGetValue(ReservedAttributes.InstancePort, out var portText)
                && ushort.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out var port)
                && DnsName.TryEncode(instance.Id, out var idName)
                && DnsName.TryConcat(idName.AsSpan(0, idName.Length - 1), owner, out var hostName))
            {
                // The target's own A/AAAA records carry the SRV record's TTL.
                var ttl = Ttl(dns, RecordType.Srv);
                var (glueA, glueAaaa) = (ipv4 is null ? null : RecordTail.A(ttl, ipv4), ipv6 is null ? null : RecordTail.Aaaa(ttl, ipv6));
                srv.Add(new Candidate(RecordTail.Srv(ttl, 1, 1, port, hostName), glueA, glueAaaa), healthy);
                instanceNames.Add(new InstanceName(hostName, glueA, glueAaaa));
            }
        }

        var records = new ServiceRecords
        {
            Policy = dns.RoutingPolicy,
            A = a?.Build(),
            Aaaa = aaaa?.Build(),
            Srv = srv?.Build(),
            Cname = cname?.Build(),
        };
        return new BuiltService(service, ns, owner, records, new InstanceNames(owner, instanceNames));
    }

    private static uint Ttl(DnsConfig dns, RecordType type)
    {
        foreach (var record in dns.DnsRecords)
        {
            if (record.Type == type) return RecordTail.Ttl(record.TTL);
        }

        return 0;
    }

    private static IPAddress? Address(IReadOnlyDictionary<string, string> attributes, string key, AddressFamily family) =>
        attributes.TryGetValue(key, out var text) && IPAddress.TryParse(text, out var address) && address.AddressFamily == family ? address : null;

    private static Zone? FindZone(Dictionary<byte[], Zone> zones, ReadOnlySpan<byte> name)
    {
        var lookup = zones.GetAlternateLookup<ReadOnlySpan<byte>>();
        for (var rest = name; rest.Length > 1; rest = DnsName.Parent(rest))
        {
            if (lookup.TryGetValue(rest, out var zone)) return zone;
        }

        return null;
    }

    /// <summary>Makes every name between <paramref name="name"/> and its zone's apex exist (RFC 8020).</summary>
    private static void AddEmptyNonTerminals(Dictionary<byte[], ZoneName> names, Zone zone, ReadOnlySpan<byte> name)
    {
        var lookup = names.GetAlternateLookup<ReadOnlySpan<byte>>();
        for (var parent = DnsName.Parent(name); parent.Length > zone.Apex.Length; parent = DnsName.Parent(parent))
        {
            lookup.TryAdd(parent, new ZoneName(new NameNode(), zone));
        }
    }

    private sealed class ChoicesBuilder
    {
        private readonly List<Candidate> _healthy = [];
        private readonly List<Candidate> _all = [];

        public void Add(Candidate candidate, bool healthy)
        {
            _all.Add(candidate);
            if (healthy) _healthy.Add(candidate);
        }

        public RecordChoices Build() => new([.. _healthy], [.. _all]);
    }
}
