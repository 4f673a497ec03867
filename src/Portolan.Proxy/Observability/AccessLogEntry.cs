namespace Portolan.Proxy.Observability;

/// <summary>
/// One request as ALB's access log records it. A struct of references the request already holds, so queueing
/// it costs no allocation; the line is formatted on the writer's thread.
/// </summary>
internal readonly record struct AccessLogEntry
{
    public required string Type { get; init; }
    public required DateTimeOffset Received { get; init; }
    public required DateTimeOffset Completed { get; init; }
    public required string LoadBalancer { get; init; }
    public required string? ClientAddress { get; init; }
    public required int ClientPort { get; init; }
    public required string? Target { get; init; }

    /// <summary>Seconds (or -1 when the request never reached a target), as ALB writes them.</summary>
    public required double RequestProcessingTime { get; init; }
    public required double TargetProcessingTime { get; init; }
    public required int ElbStatus { get; init; }

    /// <summary>The target's status, or 0 (written <c>-</c>) when no target answered.</summary>
    public required int TargetStatus { get; init; }
    public required long ReceivedBytes { get; init; }
    public required long SentBytes { get; init; }
    public required string Method { get; init; }
    public required string Scheme { get; init; }
    public required string Host { get; init; }
    public required int Port { get; init; }
    public required string? Path { get; init; }
    public required string? Query { get; init; }
    public required string Protocol { get; init; }
    public required string? UserAgent { get; init; }
    public required string? TargetGroup { get; init; }
    public required string? TraceId { get; init; }
    public required int MatchedRulePriority { get; init; }
    public required string Actions { get; init; }
    public required string? RedirectUrl { get; init; }
    public required string? ErrorReason { get; init; }
}
