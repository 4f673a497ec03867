using System.Buffers.Binary;
using System.Globalization;
using System.Net;
using Portolan.Core.Discovery;
using Portolan.Dns.Wire;

namespace Portolan.Dns.Zones;

/// <summary>
/// Reads the zone view DNS answers from, for people (the console): what a service's name answers right now, the
/// very records the server copies into replies, decoded to presentation form. No AWS API offers this view.
/// </summary>
public sealed class ZoneInspector
{
    private readonly IZoneViewSource _views;

    internal ZoneInspector(IZoneViewSource views) => _views = views;

    /// <summary>The snapshot revision the current view was built from; -1 while DNS is not served.</summary>
    public long Revision => _views.Current.Revision;

    /// <summary>The records of service <paramref name="serviceId"/>, or null when it has no DNS name (no DnsConfig, HTTP namespace, or DNS not served).</summary>
    public ServiceDnsRecords? Describe(string serviceId)
    {
        var view = _views.Current;
        if (!view.Services.TryGetValue(serviceId, out var built)) return null;

        var owner = DnsName.ToDotted(built.Owner);
        var records = new List<DnsRecordView>();
        var choices = built.Records;
        Add(records, owner, choices.Cname);
        Add(records, owner, choices.A);
        Add(records, owner, choices.Aaaa);
        Add(records, owner, choices.Srv);
        foreach (var instance in built.Instances.All)
        {
            // An instance's own name answers whatever its health; the flag tells whether its SRV record is healthy.
            var name = DnsName.ToDotted(instance.Name);
            var healthy = choices.Srv is null || Array.Exists(choices.Srv.Healthy, c => ReferenceEquals(c.GlueA, instance.A) && ReferenceEquals(c.GlueAaaa, instance.Aaaa));
            if (instance.A is not null) records.Add(Decode(name, instance.A, healthy, inAnswers: true));
            if (instance.Aaaa is not null) records.Add(Decode(name, instance.Aaaa, healthy, inAnswers: true));
        }

        var limit = choices.Policy == RoutingPolicy.Weighted ? 1 : ZoneAnswerer.MaxMultivalueAnswers;
        return new ServiceDnsRecords(view.Revision, owner, choices.Policy == RoutingPolicy.Weighted ? "WEIGHTED" : "MULTIVALUE", limit, records);
    }

    private static void Add(List<DnsRecordView> records, string owner, RecordChoices? choices)
    {
        if (choices is null) return;
        var pool = choices.Pool;
        foreach (var candidate in choices.All)
        {
            var healthy = Array.Exists(choices.Healthy, c => ReferenceEquals(c.Tail, candidate.Tail));
            var inAnswers = Array.Exists(pool, c => ReferenceEquals(c.Tail, candidate.Tail));
            records.Add(Decode(owner, candidate.Tail, healthy, inAnswers));
        }
    }

    /// <summary>A record tail (TYPE, CLASS, TTL, RDLENGTH, RDATA) as zone-file text.</summary>
    private static DnsRecordView Decode(string owner, byte[] tail, bool healthy, bool inAnswers)
    {
        var type = BinaryPrimitives.ReadUInt16BigEndian(tail);
        var ttl = BinaryPrimitives.ReadUInt32BigEndian(tail.AsSpan(4));
        var rdata = tail.AsSpan(10);
        var (name, data) = type switch
        {
            DnsType.A => ("A", new IPAddress(rdata).ToString()),
            DnsType.AAAA => ("AAAA", new IPAddress(rdata).ToString()),
            DnsType.CNAME => ("CNAME", DnsName.ToDotted(rdata)),
            DnsType.SRV => ("SRV", string.Create(CultureInfo.InvariantCulture,
                $"{BinaryPrimitives.ReadUInt16BigEndian(rdata)} {BinaryPrimitives.ReadUInt16BigEndian(rdata[2..])} {BinaryPrimitives.ReadUInt16BigEndian(rdata[4..])} {DnsName.ToDotted(rdata[6..])}")),
            _ => (type.ToString(CultureInfo.InvariantCulture), Convert.ToHexString(rdata)),
        };
        return new DnsRecordView(owner, name, ttl, data, healthy, inAnswers);
    }
}

/// <summary>What a service's DNS name answers as of <see cref="Revision"/>.</summary>
/// <param name="Revision">The registry revision the zone view was built from.</param>
/// <param name="Name">The service's fully qualified name, e.g. <c>web.example.local.</c></param>
/// <param name="RoutingPolicy">MULTIVALUE or WEIGHTED.</param>
/// <param name="AnswerLimit">How many of the eligible records one answer carries (8 or 1), picked at random.</param>
/// <param name="Records">The service's records, then its instances' own address records (SRV targets).</param>
public sealed record ServiceDnsRecords(long Revision, string Name, string RoutingPolicy, int AnswerLimit, IReadOnlyList<DnsRecordView> Records);

/// <param name="Healthy">The instance behind the record is not UNHEALTHY.</param>
/// <param name="InAnswers">The record can be in an answer now: it is healthy, or no record of its type is (fail open).</param>
public sealed record DnsRecordView(string Name, string Type, uint Ttl, string Data, bool Healthy, bool InAnswers);
