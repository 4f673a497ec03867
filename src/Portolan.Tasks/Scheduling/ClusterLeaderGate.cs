using Portolan.Core.Cluster;

namespace Portolan.Tasks.Scheduling;

/// <summary>The scheduler runs on the cluster's leader only (a single node always leads).</summary>
internal sealed class ClusterLeaderGate(IClusterMembership membership) : ISchedulerGate
{
    public bool IsScheduler => membership.IsLeader;
}
