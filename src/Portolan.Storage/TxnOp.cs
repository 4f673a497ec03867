namespace Portolan.Storage;

/// <summary>Kinds of write a transaction can carry.</summary>
public enum TxnOpKind { Put, Delete, DeletePrefix }

/// <summary>One write in a transaction. All writes of one committed transaction share one revision.</summary>
public sealed record TxnOp(TxnOpKind Kind, string Key, ReadOnlyMemory<byte> Value = default, long Lease = 0)
{
    public static TxnOp Put(string key, ReadOnlyMemory<byte> value, long lease = 0) => new(TxnOpKind.Put, key, value, lease);
    public static TxnOp Delete(string key) => new(TxnOpKind.Delete, key);
    /// <summary>Deletes every key that starts with <paramref name="prefix"/>.</summary>
    public static TxnOp DeletePrefix(string prefix) => new(TxnOpKind.DeletePrefix, prefix);
}

/// <summary>
/// A conditional write: if every compare holds, all <see cref="Success"/> writes apply at one new revision.
/// As in etcd, a transaction may not put the same key twice, nor put a key that one of its deletes covers
/// (each key changes at most once per revision); overlapping deletes are fine. Keys of puts, deletes and
/// compares must not be empty; a DeletePrefix of "" deletes every key.
/// </summary>
public sealed record Txn(IReadOnlyList<Compare> Compares, IReadOnlyList<TxnOp> Success)
{
    public static Txn Unconditional(params TxnOp[] ops) => new([], ops);
}

/// <summary>
/// Outcome of <see cref="IStore.TxnAsync"/>. When <see cref="Succeeded"/> is true, <see cref="Revision"/>
/// is the revision the writes landed at and the writes are durable. When false, nothing was written and
/// <see cref="Revision"/> is the store's revision at which the compares were evaluated.
/// A transaction whose compares held but that had no effective writes (e.g. deleting an absent key only)
/// still succeeds, and does not create a revision.
/// </summary>
public readonly record struct TxnResult(bool Succeeded, long Revision);
