namespace Portolan.Storage;

/// <summary>
/// One key as the store holds it, with etcd's bookkeeping: the revision that created it, the revision
/// of its last change, how many times it was written since creation, and the lease it is attached to.
/// </summary>
/// <param name="Key">The full key, e.g. <c>/p/sd/svc/srv-abc</c>. Keys are compared ordinally.</param>
/// <param name="Value">The value bytes; empty for a delete event.</param>
/// <param name="CreateRevision">Revision of the put that created the key (0 for a delete event).</param>
/// <param name="ModRevision">Revision of the last put, or of the delete in a delete event.</param>
/// <param name="Version">Writes since creation: 1 after the first put; 0 for a delete event.</param>
/// <param name="Lease">The lease id the key is attached to, or 0.</param>
public sealed record KeyValue(string Key, ReadOnlyMemory<byte> Value, long CreateRevision, long ModRevision, long Version, long Lease);
