using Portolan.Core.Discovery;
using Portolan.Storage;

namespace Portolan.Core.Registry;

/// <summary>What a store change under <see cref="Prefix"/> says about one Cloud Map instance.</summary>
/// <param name="Registration">True for the instance's own record (put = registered or re-registered, delete =
/// deregistered); false for its health record.</param>
/// <param name="Health">The health written, for a put of a health record.</param>
public readonly record struct InstanceChange(string ServiceId, string InstanceId, bool Registration, bool Deleted, InstanceHealth? Health);

/// <summary>
/// Reads instance changes from the store's watch, for readers that need each change rather than the latest snapshot
/// (a history): diffing snapshots costs the size of every changed service, a watch costs the size of the change.
/// </summary>
public static class InstanceChanges
{
    /// <summary>The prefix to watch: the Cloud Map state (instances, health, and the rest, which <see cref="TryRead"/> skips).</summary>
    public const string Prefix = StoreKeys.State;

    public static bool TryRead(in WatchEvent change, out InstanceChange result)
    {
        var key = change.Kv.Key;
        var deleted = change.Type == WatchEventType.Delete;
        if (key.StartsWith(StoreKeys.InstancePrefix, StringComparison.Ordinal))
        {
            var (serviceId, instanceId) = StoreKeys.SplitServiceChild(key, StoreKeys.InstancePrefix);
            result = new InstanceChange(serviceId, instanceId, Registration: true, deleted, null);
            return true;
        }

        if (key.StartsWith(StoreKeys.HealthPrefix, StringComparison.Ordinal))
        {
            var (serviceId, instanceId) = StoreKeys.SplitServiceChild(key, StoreKeys.HealthPrefix);
            result = new InstanceChange(serviceId, instanceId, Registration: false, deleted,
                deleted ? null : RecordJson.Deserialize<InstanceHealth>(change.Kv.Value));
            return true;
        }

        result = default;
        return false;
    }
}
