using Portolan.Core.Cluster;
using Portolan.Health.Subjects;

namespace Portolan.Health.Ownership;

/// <summary>
/// Health checks shared across the nodes of a cluster: a subject is probed by the node that owns its key in the
/// cluster's rendezvous hash over live nodes (<see cref="IClusterMembership.Owns"/>), so each check has exactly one
/// prober, and a dead node's checks move to the survivors within its lease TTL. A new owner starts from the state
/// recorded in the registry. A node that loses its lease owns nothing and stops probing at the next view.
/// </summary>
public sealed class ClusterOwnership : IHealthCheckOwnership, IDisposable
{
    private readonly IClusterMembership _membership;

    public ClusterOwnership(IClusterMembership membership)
    {
        _membership = membership;
        _membership.Changed += OnViewChanged;
    }

    public event Action? Changed;

    /// <summary>The work-item key of a subject, e.g. <c>health/instance:srv-…/i-1</c>.</summary>
    public static string WorkKey(SubjectKey subject) => "health/" + subject;

    public bool Owns(SubjectKey subject) => _membership.Owns(WorkKey(subject));

    private void OnViewChanged(ClusterView view) => Changed?.Invoke();

    public void Dispose() => _membership.Changed -= OnViewChanged;
}
