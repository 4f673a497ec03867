using System.Collections.Immutable;
using Portolan.Core.Discovery;

namespace Portolan.Core.Snapshots;

/// <summary>
/// A namespace in a snapshot, with the ids of its services. <see cref="ServicesRevision"/> is the revision of
/// the namespace's service-set key (touched by every service create/delete; 0 before the first), which a
/// delete compares to be sure no service appeared meanwhile.
/// </summary>
public sealed record NamespaceEntry(NamespaceRecord Record, long CreateRevision, long ModRevision, ImmutableSortedSet<string> ServiceIds, long ServicesRevision = 0)
{
    public string Id => Record.Id;
}
