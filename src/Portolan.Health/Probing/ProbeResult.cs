namespace Portolan.Health.Probing;

/// <summary>
/// One probe's result: when it started, how it ended, how long it took, the HTTP or gRPC code if one came back,
/// and a short human detail (e.g. "connection refused", "HTTP 503").
/// </summary>
public readonly record struct ProbeResult(DateTimeOffset At, ProbeOutcome Outcome, TimeSpan Elapsed, int? Code = null, string? Detail = null)
{
    public bool Passed => Outcome == ProbeOutcome.Success;
}
