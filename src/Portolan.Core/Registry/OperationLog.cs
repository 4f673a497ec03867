using Portolan.Core.Discovery;
using Portolan.Storage;

namespace Portolan.Core.Registry;

/// <summary>
/// Reads Cloud Map operations. They are kept in the store, outside the snapshot (they only grow and no hot
/// path reads them), in operation-id order.
/// </summary>
public sealed class OperationLog(IStore store)
{
    private const int PageSize = 500;

    public async Task<OperationRecord?> GetAsync(string id, CancellationToken ct = default)
    {
        if (id.Contains('/', StringComparison.Ordinal)) return null;
        var kv = await store.GetAsync(StoreKeys.Operation(id), ct);
        return kv is null ? null : RecordJson.Deserialize<OperationRecord>(kv.Value);
    }

    /// <summary>
    /// Up to <paramref name="limit"/> operations with ids after <paramref name="startAfter"/> that match
    /// <paramref name="match"/>, and the id to continue after when more may follow.
    /// </summary>
    public async Task<(List<OperationRecord> Page, string? ContinueAfter)> ListAsync(
        string? startAfter, int limit, Func<OperationRecord, bool> match, CancellationToken ct = default)
    {
        var page = new List<OperationRecord>(Math.Min(limit, 100));
        var after = startAfter is null ? null : StoreKeys.Operation(startAfter);
        while (true)
        {
            var range = await store.RangeAsync(StoreKeys.Operations, new RangeOptions(PageSize, after), ct);
            foreach (var kv in range.Kvs)
            {
                after = kv.Key;
                var op = RecordJson.Deserialize<OperationRecord>(kv.Value);
                if (!match(op)) continue;
                page.Add(op);
                if (page.Count == limit)
                {
                    var more = !ReferenceEquals(kv, range.Kvs[^1]) || range.More;
                    return (page, more ? op.Id : null);
                }
            }
            if (!range.More) return (page, null);
        }
    }
}
