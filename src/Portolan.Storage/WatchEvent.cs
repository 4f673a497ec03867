namespace Portolan.Storage;

public enum WatchEventType { Put, Delete }

/// <summary>
/// A change to one key. For a delete, <see cref="KeyValue.ModRevision"/> is the revision of the delete
/// and the value is empty.
/// </summary>
public readonly record struct WatchEvent(WatchEventType Type, KeyValue Kv);

/// <summary>All changes under the watched prefix made by one revision (one transaction), in key order.</summary>
public sealed record WatchBatch(long Revision, IReadOnlyList<WatchEvent> Events);
