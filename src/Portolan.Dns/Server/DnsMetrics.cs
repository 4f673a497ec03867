using System.Diagnostics;
using System.Diagnostics.Metrics;
using Portolan.Dns.Wire;

namespace Portolan.Dns.Server;

/// <summary>
/// DNS instruments on the <c>Portolan.Dns</c> meter: <c>portolan.dns.queries</c> (replies sent, by query type and
/// rcode) and <c>portolan.dns.query.duration</c> (seconds from request to reply, by transport). Recording sits on the
/// answer path, so it allocates nothing: tag values are strings made once (a query type outside the table counts as
/// OTHER, so a client can't grow the label set), and tags go by value through the fixed-arity overloads.
/// </summary>
public sealed class DnsMetrics
{
    public const string MeterName = "Portolan.Dns";

    // Sub-millisecond buckets for local answers, up to seconds for forwarded ones (upstream round trips).
    private static readonly double[] DurationBuckets = [0.00001, 0.000025, 0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

    private static readonly string[] TypeNames = BuildTypeNames();
    private static readonly string[] RCodeNames = ["NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMP", "REFUSED", "YXDOMAIN", "YXRRSET", "NXRRSET", "NOTAUTH", "NOTZONE", "DSOTYPENI", "RCODE12", "RCODE13", "RCODE14", "RCODE15", "BADVERS"];
    private static readonly KeyValuePair<string, object?> Udp = new("transport", "udp");
    private static readonly KeyValuePair<string, object?> Tcp = new("transport", "tcp");

    private readonly Counter<long> _queries;
    private readonly Histogram<double> _duration;

    public DnsMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(MeterName);
        _queries = meter.CreateCounter<long>("portolan.dns.queries", "{query}", "DNS replies sent, by query type and response code.");
        _duration = meter.CreateHistogram("portolan.dns.query.duration", "s", "Time from a DNS request to its reply, by transport.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = DurationBuckets });
    }

    /// <summary>True while something listens (the Prometheus exporter, say): only then is anything recorded.</summary>
    internal bool Enabled => _queries.Enabled && _duration.Enabled;

    /// <summary>Counts one reply. <paramref name="started"/> is a <see cref="Stopwatch.GetTimestamp"/> taken on arrival.</summary>
    internal void Record(ushort queryType, int rcode, bool overUdp, long started)
    {
        if (_queries.Enabled)
        {
            _queries.Add(1, new KeyValuePair<string, object?>("type", TypeName(queryType)), new KeyValuePair<string, object?>("rcode", RCodeName(rcode)));
        }

        if (_duration.Enabled)
        {
            _duration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds, overUdp ? Udp : Tcp);
        }
    }

    internal static string TypeName(ushort type) => type < TypeNames.Length ? TypeNames[type] : type switch
    {
        DnsType.IXFR => "IXFR",
        DnsType.AXFR => "AXFR",
        DnsType.ANY => "ANY",
        257 => "CAA",
        _ => "OTHER",
    };

    internal static string RCodeName(int rcode) => (uint)rcode < (uint)RCodeNames.Length ? RCodeNames[rcode] : "OTHER";

    private static string[] BuildTypeNames()
    {
        var names = new string[66];
        Array.Fill(names, "OTHER");
        names[0] = "NONE"; // no question (a FORMERR reply to an empty message)
        names[DnsType.A] = "A";
        names[DnsType.NS] = "NS";
        names[DnsType.CNAME] = "CNAME";
        names[DnsType.SOA] = "SOA";
        names[12] = "PTR";
        names[15] = "MX";
        names[16] = "TXT";
        names[DnsType.AAAA] = "AAAA";
        names[DnsType.SRV] = "SRV";
        names[35] = "NAPTR";
        names[DnsType.OPT] = "OPT";
        names[64] = "SVCB";
        names[65] = "HTTPS";
        return names;
    }
}
