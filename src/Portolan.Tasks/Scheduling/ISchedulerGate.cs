namespace Portolan.Tasks.Scheduling;

/// <summary>
/// Whether this node runs the service scheduler. In a cluster only the leader may (two schedulers would both start
/// tasks to reach one desired count); cluster membership provides the real gate. A single node always is the scheduler.
/// </summary>
public interface ISchedulerGate
{
    bool IsScheduler { get; }
}

/// <summary>The gate of a single node: always the scheduler.</summary>
public sealed class AlwaysScheduler : ISchedulerGate
{
    public bool IsScheduler => true;
}
