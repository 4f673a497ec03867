using Portolan.Health.Probing;

namespace Portolan.Health.Thresholds;

/// <summary>
/// An AWS target-health reason code and description (SDK model TargetHealthReasonEnum), with Portolan's probe
/// detail appended so the user sees <i>why</i>: "Health checks failed with these codes: [503]", "Request timed out",
/// "Health checks failed (connection refused)".
/// </summary>
public sealed record HealthReason(string Code, string Description)
{
    public const string RegistrationInProgress = "Elb.RegistrationInProgress";
    public const string InitialHealthChecking = "Elb.InitialHealthChecking";
    public const string ResponseCodeMismatch = "Target.ResponseCodeMismatch";
    public const string Timeout = "Target.Timeout";
    public const string FailedHealthChecks = "Target.FailedHealthChecks";
    public const string NotRegistered = "Target.NotRegistered";
    public const string NotInUse = "Target.NotInUse";
    public const string DeregistrationInProgress = "Target.DeregistrationInProgress";
    public const string InvalidState = "Target.InvalidState";
    public const string IpUnusable = "Target.IpUnusable";
    public const string HealthCheckDisabled = "Target.HealthCheckDisabled";
    public const string InternalError = "Elb.InternalError";

    public static HealthReason Initial { get; } = new(InitialHealthChecking, "Initial health checks in progress");

    /// <summary>The reason for a state, from the last probe (null for healthy: AWS gives none).</summary>
    public static HealthReason? For(HealthState state, ProbeResult? last) => state switch
    {
        HealthState.Healthy => null,
        HealthState.Initial => Initial,
        _ => Failure(last),
    };

    /// <summary>Why probes fail, from the latest failed probe.</summary>
    public static HealthReason Failure(ProbeResult? last)
    {
        if (last is not { Passed: false } r) return new HealthReason(FailedHealthChecks, "Health checks failed");
        return r.Outcome switch
        {
            ProbeOutcome.WrongStatus or ProbeOutcome.WrongGrpcCode =>
                new(ResponseCodeMismatch, $"Health checks failed with these codes: [{r.Code}]{Hint(r)}"),
            ProbeOutcome.Timeout => new(Timeout, "Request timed out" + Detail(r)),
            _ => new(FailedHealthChecks, "Health checks failed" + Detail(r)),
        };
    }

    private static string Detail(ProbeResult r) => r.Detail is { Length: > 0 } d ? $" ({d})" : "";

    /// <summary>The common gRPC mistake: the default matcher 12 against a server that implements the checked method.</summary>
    private static string Hint(ProbeResult r) =>
        r.Outcome == ProbeOutcome.WrongGrpcCode && r.Code == 0
            ? " (the target answers gRPC OK; for a grpc.health.v1 server use path /grpc.health.v1.Health/Check with matcher GrpcCode=0)"
            : "";
}
