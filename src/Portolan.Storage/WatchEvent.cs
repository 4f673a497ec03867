namespace Portolan.Storage;

public enum WatchEventType { Put, Delete }

/// <summary>
/// A change to one key. For a delete, <see cref="KeyValue.ModRevision"/> is the revision of the delete
/// and the value is empty.
/// </summary>
public readonly record struct WatchEvent(WatchEventType Type, KeyValue Kv);

/// <summary>
/// All changes under the watched prefix made by one revision (one transaction), in key order; or, with no events,
/// a progress notification: nothing under the prefix changed after the last batch, up to <see cref="Revision"/>.
/// </summary>
public sealed record WatchBatch(long Revision, IReadOnlyList<WatchEvent> Events);
