using System.Diagnostics;
using Portolan.Dns.Wire;
using Portolan.Dns.Zones;

namespace Portolan.Dns.Server;

/// <summary>
/// The request pipeline shared by UDP and TCP: parse, pick the reply size, answer from the current zone view,
/// add OPT, fill in the header. Pure apart from reading the view: no I/O, no allocation, no exceptions for bad
/// input — every request gets a reply length (0 = send nothing).
/// </summary>
internal sealed class DnsQueryProcessor(IZoneViewSource views, DnsServerOptions options, DnsMetrics? metrics = null)
{
    /// <summary>What <see cref="Process"/> returns for a query to hand to an upstream resolver.</summary>
    public const int Forward = -1;

    /// <summary>A reply buffer must hold this much: any classic reply, and any UDP reply we send.</summary>
    public int MinResponseBuffer => Math.Max(DnsLimits.ClassicUdpPayload, options.MaxUdpPayload);

    /// <param name="request">The query as received (without TCP's length prefix).</param>
    /// <param name="response">At least <see cref="MinResponseBuffer"/> octets (65535 for TCP).</param>
    /// <param name="overUdp">UDP replies are cut to the client's payload size; TCP ones are not.</param>
    /// <param name="random">The caller's own random source, for MULTIVALUE and WEIGHTED picks.</param>
    /// <returns>
    /// The reply's length; 0 when the request deserves no reply; <see cref="Forward"/> when the name is outside our
    /// zones and forwarders are configured (the caller relays the request, see <see cref="UpstreamForwarder"/>).
    /// </returns>
    public int Process(ReadOnlySpan<byte> request, Span<byte> response, bool overUdp, Random random)
    {
        var started = Stopwatch.GetTimestamp();
        Span<byte> name = stackalloc byte[DnsLimits.MaxNameLength];
        var status = DnsQueryParser.Parse(request, name, out var query);
        if (status == QueryParseStatus.Drop) return 0;
        name = name[..query.QuestionNameLength];

        var edns = query.HasEdns && status is QueryParseStatus.Ok or QueryParseStatus.BadVersion;
        var limit = !overUdp ? DnsLimits.MaxMessageSize
            : edns ? Math.Clamp((int)query.EdnsUdpSize, DnsLimits.ClassicUdpPayload, options.MaxUdpPayload)
            : DnsLimits.ClassicUdpPayload;
        var writer = new DnsMessageWriter(response, limit);
        if (query.HasQuestion) writer.TryWriteQuestion(name, query.QuestionType, query.QuestionClass);

        var flags = (ushort)(DnsFlags.QR | (query.Flags & (DnsFlags.OpcodeMask | DnsFlags.RD)));
        int rcode;
        switch (status)
        {
            case QueryParseStatus.Ok:
                // Room for OPT is kept back while answering, so it always fits.
                writer.Limit = limit - (edns ? DnsLimits.OptRecordSize : 0);
                rcode = Answer(ref writer, name, query, random, ref flags);
                if (rcode == Forward) return Forward;
                writer.Limit = limit;
                break;
            case QueryParseStatus.NotImplemented:
                rcode = DnsRCode.NotImp;
                break;
            case QueryParseStatus.BadVersion:
                rcode = DnsRCode.BadVers;
                break;
            default:
                rcode = DnsRCode.FormErr;
                break;
        }

        if (options.Forwarders.Count > 0) flags |= DnsFlags.RA;
        if (edns) writer.TryWriteOpt((ushort)options.MaxUdpPayload, rcode, query.DnssecOk);
        writer.WriteHeader(query.Id, flags, rcode);
        metrics?.Record(query.QuestionType, rcode, overUdp, started);
        return writer.Position;
    }

    /// <summary>
    /// Writes a reply with <paramref name="rcode"/> and the request's question (SERVFAIL when no upstream answered,
    /// TC when an upstream's reply is larger than the client takes). Returns 0 for a request that gets no reply.
    /// </summary>
    /// <param name="started">When the request arrived (<see cref="Stopwatch.GetTimestamp"/>), for the duration metric; 0 = now.</param>
    public int Fail(ReadOnlySpan<byte> request, Span<byte> response, bool overUdp, int rcode, bool truncated = false, long started = 0)
    {
        Span<byte> name = stackalloc byte[DnsLimits.MaxNameLength];
        if (DnsQueryParser.Parse(request, name, out var query) == QueryParseStatus.Drop) return 0;
        var writer = new DnsMessageWriter(response, overUdp ? DnsLimits.ClassicUdpPayload : DnsLimits.MaxMessageSize);
        if (query.HasQuestion) writer.TryWriteQuestion(name[..query.QuestionNameLength], query.QuestionType, query.QuestionClass);
        var flags = (ushort)(DnsFlags.QR | DnsFlags.RA | (query.Flags & (DnsFlags.OpcodeMask | DnsFlags.RD)) | (truncated ? DnsFlags.TC : 0));
        writer.WriteHeader(query.Id, flags, rcode);
        metrics?.Record(query.QuestionType, rcode, overUdp, started == 0 ? Stopwatch.GetTimestamp() : started);
        return writer.Position;
    }

    /// <summary>Counts an upstream's reply relayed to the client as it is (<paramref name="reply"/>: without TCP's length prefix).</summary>
    public void CountForwarded(ReadOnlySpan<byte> request, ReadOnlySpan<byte> reply, bool overUdp, long started)
    {
        if (metrics is null || reply.Length < DnsLimits.HeaderSize) return;
        Span<byte> name = stackalloc byte[DnsLimits.MaxNameLength];
        DnsQueryParser.Parse(request, name, out var query);
        metrics.Record(query.QuestionType, reply[3] & DnsFlags.RCodeMask, overUdp, started);
    }

    /// <summary>The largest UDP reply the client of <paramref name="request"/> takes (its EDNS size within our maximum, or 512).</summary>
    public int UdpLimit(ReadOnlySpan<byte> request)
    {
        Span<byte> name = stackalloc byte[DnsLimits.MaxNameLength];
        var status = DnsQueryParser.Parse(request, name, out var query);
        return query.HasEdns && status == QueryParseStatus.Ok
            ? Math.Clamp((int)query.EdnsUdpSize, DnsLimits.ClassicUdpPayload, options.MaxUdpPayload)
            : DnsLimits.ClassicUdpPayload;
    }

    private int Answer(ref DnsMessageWriter writer, scoped ReadOnlySpan<byte> name, in DnsQuery query, Random random, ref ushort flags)
    {
        // Zone transfers are not offered; other classes than IN (CHAOS version.bind, say) are not served.
        if (query.QuestionType is DnsType.AXFR or DnsType.IXFR) return DnsRCode.Refused;
        if (query.QuestionClass is not (DnsClass.IN or DnsClass.ANY)) return DnsRCode.Refused;

        var questionEnd = writer.Position;
        switch (ZoneAnswerer.Answer(views.Current, ref writer, name, query.QuestionType, random))
        {
            case AnswerOutcome.NoError:
                flags |= DnsFlags.AA;
                return DnsRCode.NoError;
            case AnswerOutcome.NameError:
                flags |= DnsFlags.AA;
                return DnsRCode.NXDomain;
            case AnswerOutcome.Truncated:
                // The client retries over TCP (RFC 7766 §5), which has room for everything.
                writer.Truncate(questionEnd);
                flags |= DnsFlags.AA | DnsFlags.TC;
                return DnsRCode.NoError;
            default:
                // Never an open resolver unless told to forward: names outside our zones are refused.
                return options.Forwarders.Count > 0 ? Forward : DnsRCode.Refused;
        }
    }
}
