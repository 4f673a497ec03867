using Portolan.Core.Discovery;
using Portolan.Core.Snapshots;

namespace Portolan.Dns.Zones;

/// <summary>
/// What a service contributed to a view. Snapshot entries are replaced whenever anything in them changes, so
/// while <see cref="Entry"/> and <see cref="Namespace"/> are the very objects of the next snapshot, the
/// records are still right and the next build reuses them: a health flip rebuilds one service, not the world.
/// </summary>
internal sealed record BuiltService(
    ServiceEntry Entry,
    NamespaceRecord Namespace,
    byte[] Owner,
    ServiceRecords Records,
    InstanceNames Instances);

/// <summary>An instance's own name (<c>&lt;instance-id&gt;.&lt;service&gt;.&lt;namespace&gt;</c>) and its address records.</summary>
internal sealed record InstanceName(byte[] Name, byte[]? A, byte[]? Aaaa);
