namespace Portolan.Health;

/// <summary>Settings of the health engine.</summary>
public sealed class HealthOptions
{
    /// <summary>
    /// How often each instance of a Cloud Map service with HealthCheckConfig is probed (<c>--health-interval</c>).
    /// A service can override it with the service attribute <see cref="CloudMapIntervalAttribute"/> (seconds).
    /// <remarks>Defaults to 30 s, Route 53's standard interval.</remarks>
    /// </summary>
    public TimeSpan CloudMapInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How long a Cloud Map probe may take. <remarks>Defaults to 4 s, the time Route 53 gives a target to accept
    /// the connection; capped at the interval.</remarks>
    /// </summary>
    public TimeSpan CloudMapTimeout { get; set; } = TimeSpan.FromSeconds(4);

    /// <summary>Service attribute (Update/GetServiceAttributes) that sets one service's probe interval in seconds (1-300).</summary>
    public const string CloudMapIntervalAttribute = "portolan:health-check-interval";

    /// <summary>
    /// Probes running at once across all subjects; more wait (and show as lag). A hung target holds one slot until
    /// its timeout, never a thread. <remarks>Defaults to 4,096: an idle probe costs a socket and a few KiB.</remarks>
    /// </summary>
    public int MaxConcurrentProbes { get; set; } = 4096;

    /// <summary>Probe results kept per subject for the API, console and logs. <remarks>Defaults to 10.</remarks></summary>
    public int HistoryLength { get; set; } = 10;

    /// <summary>
    /// Each interval is stretched or shrunk by up to half this fraction at random, so checks that started together
    /// drift apart instead of probing in bursts. <remarks>Defaults to 0.1 (±5%).</remarks>
    /// </summary>
    public double Jitter { get; set; } = 0.1;

    /// <summary>
    /// A subject that appears while running is first probed within this time (random, to spread bursts of
    /// registrations); subjects present at start are spread over one interval. <remarks>Defaults to 1 s.</remarks>
    /// </summary>
    public TimeSpan FirstProbeWithin { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Crossings written per registry transaction (etcd's default limit is 128 operations). <remarks>Defaults to 100.</remarks></summary>
    public int MaxCrossingsPerWrite { get; set; } = 100;
}
