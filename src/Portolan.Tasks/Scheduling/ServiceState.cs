namespace Portolan.Tasks.Scheduling;

/// <summary>What the scheduler remembers about a service between passes (not stored: it is rebuilt after a restart).</summary>
internal sealed class ServiceState
{
    /// <summary>Stopped tasks already looked at, so each failure counts once.</summary>
    public HashSet<string> Accounted { get; } = new(StringComparer.Ordinal);

    /// <summary>Failures since a task last became healthy; drives the relaunch backoff.</summary>
    public int ConsecutiveFailures { get; set; }
    public DateTimeOffset LastFailureAt { get; set; }
    public DateTimeOffset NextLaunchAt { get; set; }
    public bool ThrottleReported { get; set; }

    /// <summary>True while the service is known to be in a steady state (the event is written when it gets there).</summary>
    public bool Steady { get; set; }
}
