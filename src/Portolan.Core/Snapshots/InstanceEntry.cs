using Portolan.Core.Discovery;

namespace Portolan.Core.Snapshots;

/// <summary>
/// A registered instance in a snapshot. Immutable, except for <see cref="GetOrRender"/>: a small cache for
/// hot readers (DiscoverInstances, DNS) that want an encoded form of the instance per health status. The
/// entry is replaced whenever the instance changes, so a cached rendering can never go stale.
/// </summary>
public sealed class InstanceEntry(InstanceRecord record, long modRevision)
{
    private readonly object?[] _renders = new object?[3];

    public InstanceRecord Record { get; } = record;
    public long ModRevision { get; } = modRevision;
    public string Id => Record.Id;

    /// <summary>
    /// Returns the cached rendering for <paramref name="status"/>, computing it once. Races compute twice and
    /// keep either result, which is harmless because renderings are pure functions of the entry.
    /// </summary>
    public T GetOrRender<T>(HealthStatus status, Func<InstanceEntry, HealthStatus, T> render) where T : class
    {
        ref var slot = ref _renders[(int)status];
        if (Volatile.Read(ref slot) is T cached) return cached;
        var value = render(this, status);
        Volatile.Write(ref slot, value);
        return value;
    }
}
