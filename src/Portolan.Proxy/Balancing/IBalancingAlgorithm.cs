namespace Portolan.Proxy.Balancing;

/// <summary>
/// How a target group spreads new requests over its candidates (<c>load_balancing.algorithm.type</c>). Called
/// on every request: must not allocate and must be safe from any thread.
/// </summary>
internal interface IBalancingAlgorithm
{
    /// <summary>Picks one of <paramref name="candidates"/> (never empty).</summary>
    TargetState Pick(TargetState[] candidates, ref int cursor, Random random);
}

/// <summary>Each candidate in turn.</summary>
internal sealed class RoundRobinAlgorithm : IBalancingAlgorithm
{
    public static readonly RoundRobinAlgorithm Instance = new();

    public TargetState Pick(TargetState[] candidates, ref int cursor, Random random) =>
        candidates[(int)((uint)Interlocked.Increment(ref cursor) % (uint)candidates.Length)];
}

/// <summary>
/// The candidate with the fewest requests in flight; ties go round the group (starting where round robin
/// would) so equal targets share the load instead of the first one taking it all.
/// </summary>
internal sealed class LeastOutstandingRequestsAlgorithm : IBalancingAlgorithm
{
    public static readonly LeastOutstandingRequestsAlgorithm Instance = new();

    public TargetState Pick(TargetState[] candidates, ref int cursor, Random random)
    {
        var n = (uint)candidates.Length;
        var start = (uint)Interlocked.Increment(ref cursor) % n;
        var best = candidates[start];
        var bestCount = best.Outstanding;
        for (var i = 1u; i < n && bestCount > 0; i++)
        {
            var candidate = candidates[(start + i) % n];
            var count = candidate.Outstanding;
            if (count < bestCount)
            {
                best = candidate;
                bestCount = count;
            }
        }
        return best;
    }
}

/// <summary>Uniformly at random (ALB's weights only differ with anomaly mitigation, which needs per-target error signals).</summary>
internal sealed class WeightedRandomAlgorithm : IBalancingAlgorithm
{
    public static readonly WeightedRandomAlgorithm Instance = new();

    public TargetState Pick(TargetState[] candidates, ref int cursor, Random random) =>
        candidates[random.Next(candidates.Length)];
}
