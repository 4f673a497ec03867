using Portolan.Core.Discovery;
using Portolan.Dns.Wire;

namespace Portolan.Dns.Zones;

/// <summary>
/// Writes the answer to one question from a <see cref="ZoneView"/>: the hot path. It copies precomputed record
/// tails behind compression pointers to the question's name (so owners come back in the case the client
/// asked in) and allocates nothing: picks live on the stack, randomness comes from the caller's
/// <see cref="Random"/> (one per receive loop, never shared across threads).
/// </summary>
internal static class ZoneAnswerer
{
    /// <summary>MULTIVALUE answers carry at most eight records (AWS-BEHAVIOUR.md §1.2).</summary>
    public const int MaxMultivalueAnswers = 8;

    private const int QuestionNameOffset = DnsLimits.HeaderSize;

    private enum Written
    {
        Nothing,
        Records,
        NoRoom,
    }

    /// <param name="view">The names to answer from.</param>
    /// <param name="writer">Positioned just after the question, which starts at offset 12.</param>
    /// <param name="name">The question name (a valid uncompressed wire-form name).</param>
    /// <param name="type">The question type.</param>
    /// <param name="random">Picks MULTIVALUE and WEIGHTED records.</param>
    public static AnswerOutcome Answer(ZoneView view, ref DnsMessageWriter writer, scoped ReadOnlySpan<byte> name, ushort type, Random random)
    {
        var node = view.Find(name, out var nodeZone);
        if (node is null || nodeZone is null)
        {
            var zone = view.FindEnclosingZone(name, out var apexOffset);
            if (zone is null) return AnswerOutcome.NotOurs;
            return WriteSoa(ref writer, zone, apexOffset) ? AnswerOutcome.NameError : AnswerOutcome.Truncated;
        }

        switch (WriteNode(ref writer, node, nodeZone, type, random))
        {
            case Written.Records:
                return AnswerOutcome.NoError;
            case Written.NoRoom:
                return AnswerOutcome.Truncated;
            default:
                // NODATA: the name exists, the type does not (RFC 2308 §2.2).
                return WriteSoa(ref writer, nodeZone, name.Length - nodeZone.Apex.Length) ? AnswerOutcome.NoError : AnswerOutcome.Truncated;
        }
    }

    private static Written WriteNode(ref DnsMessageWriter writer, NameNode node, Zone zone, ushort type, Random random)
    {
        if (node.Service is { } service)
        {
            // A CNAME owns its name: every type gets it (RFC 1034 §3.6.2); the resolver follows it.
            if (service.Cname is { } cname) return WritePicks(ref writer, cname, service.Policy, random, glue: false);
            var choices = type switch
            {
                DnsType.A => service.A,
                DnsType.AAAA => service.Aaaa,
                DnsType.SRV => service.Srv,
                // RFC 8482: answer ANY with one RRset of the name rather than everything.
                DnsType.ANY => FirstNonEmpty(service.A, service.Aaaa, service.Srv),
                _ => null,
            };
            return choices is null ? Written.Nothing : WritePicks(ref writer, choices, service.Policy, random, glue: ReferenceEquals(choices, service.Srv));
        }

        var tail = type switch
        {
            DnsType.SOA when node.IsApex => zone.SoaTail,
            DnsType.NS when node.IsApex => zone.NsTail,
            DnsType.ANY when node.IsApex => zone.SoaTail,
            DnsType.A => node.InstanceA,
            DnsType.AAAA => node.InstanceAaaa,
            DnsType.ANY => node.InstanceA ?? node.InstanceAaaa,
            _ => null,
        };
        if (tail is null) return Written.Nothing;
        return writer.TryWriteRecord(DnsSection.Answer, QuestionNameOffset, tail) ? Written.Records : Written.NoRoom;
    }

    private static RecordChoices? FirstNonEmpty(RecordChoices? a, RecordChoices? b, RecordChoices? c) =>
        a is { All.Length: > 0 } ? a : b is { All.Length: > 0 } ? b : c is { All.Length: > 0 } ? c : null;

    private static Written WritePicks(ref DnsMessageWriter writer, RecordChoices choices, RoutingPolicy policy, Random random, bool glue)
    {
        var pool = choices.Pool;
        if (pool.Length == 0) return Written.Nothing;
        var count = policy == RoutingPolicy.Weighted ? 1 : Math.Min(pool.Length, MaxMultivalueAnswers);
        Span<int> picks = stackalloc int[MaxMultivalueAnswers];
        picks = picks[..count];
        Pick(picks, pool.Length, random);

        Span<int> targets = stackalloc int[MaxMultivalueAnswers];
        for (var i = 0; i < count; i++)
        {
            targets[i] = writer.Position + 2 + RecordTail.SrvTargetOffset;
            if (!writer.TryWriteRecord(DnsSection.Answer, QuestionNameOffset, pool[picks[i]].Tail)) return Written.NoRoom;
        }

        if (glue) WriteGlue(ref writer, pool, picks, targets);
        return Written.Records;
    }

    /// <summary>
    /// Adds each SRV target's A/AAAA records, owned by a pointer to the target name in the SRV record. Glue is
    /// optional: what does not fit is left out without setting TC (RFC 2181 §9).
    /// </summary>
    private static void WriteGlue(ref DnsMessageWriter writer, Candidate[] pool, scoped ReadOnlySpan<int> picks, scoped ReadOnlySpan<int> targets)
    {
        for (var i = 0; i < picks.Length; i++)
        {
            var candidate = pool[picks[i]];
            int position = writer.Position, answers = writer.AnswerCount, authorities = writer.AuthorityCount, additionals = writer.AdditionalCount;
            if ((candidate.GlueA is { } a && !writer.TryWriteRecord(DnsSection.Additional, targets[i], a))
                || (candidate.GlueAaaa is { } aaaa && !writer.TryWriteRecord(DnsSection.Additional, targets[i], aaaa)))
            {
                writer.Rewind(position, (ushort)answers, (ushort)authorities, (ushort)additionals);
                return;
            }
        }
    }

    /// <summary>
    /// Fills <paramref name="picks"/> with distinct indexes below <paramref name="poolSize"/>: all of them in a
    /// random order when they all fit, else a random subset by rejection (at most 8 picks, so checking the
    /// earlier picks is cheap and the expected number of draws stays small).
    /// </summary>
    internal static void Pick(Span<int> picks, int poolSize, Random random)
    {
        if (picks.Length >= poolSize)
        {
            for (var i = 0; i < poolSize; i++) picks[i] = i;
            for (var i = poolSize - 1; i > 0; i--)
            {
                var j = random.Next(i + 1);
                (picks[i], picks[j]) = (picks[j], picks[i]);
            }

            return;
        }

        for (var i = 0; i < picks.Length; i++)
        {
            int candidate;
            do
            {
                candidate = random.Next(poolSize);
            }
            while (picks[..i].Contains(candidate));
            picks[i] = candidate;
        }
    }

    private static bool WriteSoa(ref DnsMessageWriter writer, Zone zone, int apexOffset) =>
        writer.TryWriteRecord(DnsSection.Authority, QuestionNameOffset + apexOffset, zone.SoaTail);
}
