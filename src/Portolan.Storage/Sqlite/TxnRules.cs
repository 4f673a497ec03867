namespace Portolan.Storage.Sqlite;

/// <summary>
/// Checks a transaction before it is queued, so a malformed one fails its caller alone and never reaches the
/// writer. The duplicate-key rule is etcd's ("duplicate key given in txn request"): one transaction may not put
/// the same key twice, nor put a key it also deletes, because each key gets at most one event per revision.
/// Overlapping deletes are fine: the second finds nothing left to delete.
/// </summary>
internal static class TxnRules
{
    public static void Validate(Txn txn)
    {
        ArgumentNullException.ThrowIfNull(txn);
        ArgumentNullException.ThrowIfNull(txn.Compares, nameof(txn));
        ArgumentNullException.ThrowIfNull(txn.Success, nameof(txn));

        foreach (var compare in txn.Compares)
        {
            ArgumentNullException.ThrowIfNull(compare, nameof(txn));
            KeyRules.Validate(compare.Key, nameof(txn));
            if (!Enum.IsDefined(compare.Target) || !Enum.IsDefined(compare.Op))
            {
                throw new ArgumentException($"Compare on '{compare.Key}' has an unknown target or operator.", nameof(txn));
            }
        }

        HashSet<string>? puts = null;
        foreach (var op in txn.Success)
        {
            ArgumentNullException.ThrowIfNull(op, nameof(txn));
            KeyRules.Validate(op.Key, nameof(txn), allowEmpty: op.Kind == TxnOpKind.DeletePrefix);
            switch (op.Kind)
            {
                case TxnOpKind.Put:
                    if (op.Lease < 0)
                    {
                        throw new ArgumentException($"Put of '{op.Key}' has a negative lease id.", nameof(txn));
                    }

                    puts ??= new HashSet<string>(StringComparer.Ordinal);
                    if (!puts.Add(op.Key))
                    {
                        throw new ArgumentException($"Transaction puts '{op.Key}' more than once.", nameof(txn));
                    }

                    break;
                case TxnOpKind.Delete:
                case TxnOpKind.DeletePrefix:
                    break;
                default:
                    throw new ArgumentException($"Unknown operation kind {op.Kind}.", nameof(txn));
            }
        }

        if (puts is null)
        {
            return;
        }

        foreach (var op in txn.Success)
        {
            var overlaps = op.Kind switch
            {
                TxnOpKind.Delete => puts.Contains(op.Key),
                TxnOpKind.DeletePrefix => puts.Any(k => KeyRules.InPrefix(k, op.Key)),
                _ => false,
            };
            if (overlaps)
            {
                throw new ArgumentException($"Transaction both puts and deletes under '{op.Key}'.", nameof(txn));
            }
        }
    }
}
