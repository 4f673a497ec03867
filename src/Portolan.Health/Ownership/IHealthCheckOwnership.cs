using Portolan.Health.Subjects;

namespace Portolan.Health.Ownership;

/// <summary>
/// Which subjects this node probes. Alone, a node probes everything (<see cref="AllSubjects"/>). In a cluster each
/// check must have exactly one prober: an implementation backed by etcd leases answers <see cref="Owns"/> from
/// the leases it holds and raises <see cref="Changed"/> when it gains or loses some; the scheduler then starts and
/// stops runners to match. A new owner starts from the state recorded in the registry, so nothing regresses.
/// </summary>
public interface IHealthCheckOwnership
{
    /// <summary>Whether this node should probe <paramref name="subject"/>. Called often: keep it cheap.</summary>
    bool Owns(SubjectKey subject);

    /// <summary>Raised when the answer of <see cref="Owns"/> may have changed for some subject.</summary>
    event Action? Changed;
}

/// <summary>The single-node default: this node probes every subject.</summary>
public sealed class AllSubjects : IHealthCheckOwnership
{
    public bool Owns(SubjectKey subject) => true;

    public event Action? Changed
    {
        add { }
        remove { }
    }
}
