namespace Portolan.Storage;

/// <summary>
/// Keys read from the store, in ordinal key order, all as of one <see cref="Revision"/>: a caller that then
/// watches from <c>Revision + 1</c> misses nothing and sees nothing twice.
/// </summary>
public sealed record RangeResult(IReadOnlyList<KeyValue> Kvs, long Revision, bool More);

/// <summary>Optional limits for <see cref="IStore.RangeAsync"/>.</summary>
/// <param name="Limit">At most this many keys (0 = no limit); <see cref="RangeResult.More"/> tells if more remain.</param>
/// <param name="StartAfter">Only keys ordinally greater than this (for paging); null = from the start of the prefix.</param>
public sealed record RangeOptions(int Limit = 0, string? StartAfter = null);
