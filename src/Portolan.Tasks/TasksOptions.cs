namespace Portolan.Tasks;

/// <summary>Settings of the process runtime and the service scheduler.</summary>
public sealed class TasksOptions
{
    /// <summary>Where task logs live (<c>tasks/&lt;task-id&gt;/&lt;container&gt;.log</c> under it). <remarks>Defaults to the server's data directory.</remarks></summary>
    public string DataDir { get; set; } = ".portolan";

    /// <summary>
    /// The address tasks are registered at in Cloud Map (<c>AWS_INSTANCE_IPV4</c>) and load balancer target groups, and
    /// given to processes as <c>PORTOLAN_HOST_ADDRESS</c>. <remarks>Defaults to 127.0.0.1.</remarks>
    /// </summary>
    public string HostAddress { get; set; } = "127.0.0.1";

    /// <summary>
    /// The <c>bindIP</c> reported in network bindings: where the process may listen. <remarks>Defaults to 0.0.0.0, as
    /// ECS reports bridge-mode bindings.</remarks>
    /// </summary>
    public string BindIp { get; set; } = "0.0.0.0";

    /// <summary>Variables of Portolan's own environment that task processes inherit (a process needs PATH, HOME, …).</summary>
    public IList<string> InheritedEnvironment { get; } =
        ["PATH", "HOME", "USER", "LOGNAME", "LANG", "LC_ALL", "TZ", "TMPDIR", "DOTNET_ROOT", "DOTNET_CLI_HOME", "NUGET_PACKAGES"];

    /// <summary>Working directory of a container without <c>workingDirectory</c>. <remarks>Defaults to Portolan's own.</remarks></summary>
    public string DefaultWorkingDirectory { get; set; } = Environment.CurrentDirectory;

    /// <summary>Seconds between SIGTERM and SIGKILL for a container without <c>stopTimeout</c>. <remarks>Defaults to 30, ECS's default.</remarks></summary>
    public TimeSpan DefaultStopTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How often a container's health check runs until it first passes (in addition to the checks every
    /// <c>interval</c>), so a task is healthy as soon as it is ready; only the checks at <c>interval</c> count as
    /// failures, as in ECS. <remarks>Defaults to 1 second (Docker's start interval plays the same role).</remarks>
    /// </summary>
    public TimeSpan StartupProbeInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Longest a stopping task waits for DNS caches (the Cloud Map record TTL) and load balancer draining before its
    /// processes are signalled. <remarks>Defaults to 5 minutes.</remarks>
    /// </summary>
    public TimeSpan MaxDrainTime { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// How long a task without container health checks (and not behind a load balancer) must be RUNNING before the
    /// scheduler counts it healthy. <remarks>Defaults to 40 seconds, as ECS does.</remarks>
    /// </summary>
    public TimeSpan UnmonitoredHealthyAfter { get; set; } = TimeSpan.FromSeconds(40);

    /// <summary>Delay before relaunching after the first failed task of a service; doubles per failure. <remarks>Defaults to 2 seconds.</remarks></summary>
    public TimeSpan RestartBackoffInitial { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>The longest relaunch delay. <remarks>Defaults to 5 minutes.</remarks></summary>
    public TimeSpan RestartBackoffMax { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How often the scheduler looks again when nothing changed (timers: backoff, grace periods). <remarks>Defaults to 1 second.</remarks></summary>
    public TimeSpan SchedulerTick { get; set; } = TimeSpan.FromSeconds(1);
}
