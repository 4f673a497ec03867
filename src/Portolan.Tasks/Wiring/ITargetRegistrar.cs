using Portolan.Core.Snapshots;

namespace Portolan.Tasks.Wiring;

/// <summary>
/// Registers task ports as load balancer targets. The load balancing model provides it; until one is registered
/// <see cref="IsAvailable"/> is false and a service's <c>loadBalancers</c> are recorded but not wired.
/// </summary>
public interface ITargetRegistrar
{
    bool IsAvailable { get; }

    /// <summary>The target id a task registers as in a target group (its address for ip targets).</summary>
    string TargetId(RegistrySnapshot snapshot, string targetGroupArn, string hostAddress);

    Task RegisterAsync(string targetGroupArn, string id, int port, CancellationToken ct);

    /// <summary>Starts deregistering (the target drains); a target that is not registered is fine.</summary>
    Task DeregisterAsync(string targetGroupArn, string id, int port, CancellationToken ct);

    /// <summary>True once a deregistered target has finished draining (or is unknown to the target group).</summary>
    bool IsDrained(RegistrySnapshot snapshot, string targetGroupArn, string id, int port);

    /// <summary>True when the target passes the target group's health checks.</summary>
    bool IsHealthy(RegistrySnapshot snapshot, string targetGroupArn, string id, int port);

    /// <summary>
    /// The target group's reason when it has found the target unhealthy (failed checks, not merely not yet checked),
    /// as DescribeTargetHealth words it ("Request timed out"); null when it has not.
    /// </summary>
    string? UnhealthyReason(RegistrySnapshot snapshot, string targetGroupArn, string id, int port);
}

/// <summary>The registrar in effect while no load balancing model is registered.</summary>
public sealed class NoTargetRegistrar : ITargetRegistrar
{
    public bool IsAvailable => false;
    public string TargetId(RegistrySnapshot snapshot, string targetGroupArn, string hostAddress) => hostAddress;
    public Task RegisterAsync(string targetGroupArn, string id, int port, CancellationToken ct) => Task.CompletedTask;
    public Task DeregisterAsync(string targetGroupArn, string id, int port, CancellationToken ct) => Task.CompletedTask;
    public bool IsDrained(RegistrySnapshot snapshot, string targetGroupArn, string id, int port) => true;
    public bool IsHealthy(RegistrySnapshot snapshot, string targetGroupArn, string id, int port) => true;
    public string? UnhealthyReason(RegistrySnapshot snapshot, string targetGroupArn, string id, int port) => null;
}
