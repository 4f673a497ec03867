using Etcdserverpb;
using Google.Protobuf;
using TxnRules = Portolan.Storage.Sqlite.TxnRules;

namespace Portolan.Storage.Etcd;

/// <summary>
/// Turns a store <see cref="Txn"/> into etcd's <c>TxnRequest</c>: keys moved into the data range, revision
/// operands shifted by the origin (<see cref="EtcdKeyspace.ToEtcd"/>), no failure branch. Compare semantics are
/// etcd's own, which the store contract adopted (a value compare on an absent key fails whatever the operator).
/// </summary>
internal static class EtcdTxnBuilder
{
    public static TxnRequest Build(Txn txn, EtcdKeyspace keys)
    {
        // The same rules the SQLite store enforces, so both reject a malformed transaction alike and before
        // anything is sent (etcd would refuse most of them too, but only after a round trip).
        TxnRules.Validate(txn);
        var request = new TxnRequest();
        foreach (var compare in txn.Compares)
        {
            request.Compare.Add(ToCompare(compare, keys));
        }

        foreach (var op in txn.Success)
        {
            request.Success.Add(op.Kind switch
            {
                TxnOpKind.Put => new RequestOp { RequestPut = new PutRequest { Key = keys.Key(op.Key), Value = ByteString.CopyFrom(op.Value.Span), Lease = op.Lease } },
                TxnOpKind.Delete => new RequestOp { RequestDeleteRange = new DeleteRangeRequest { Key = keys.Key(op.Key) } },
                _ => DeletePrefix(op.Key, keys),
            });
        }

        return request;
    }

    private static RequestOp DeletePrefix(string prefix, EtcdKeyspace keys)
    {
        var (start, end) = keys.Prefix(prefix);
        return new RequestOp { RequestDeleteRange = new DeleteRangeRequest { Key = start, RangeEnd = end } };
    }

    private static Etcdserverpb.Compare ToCompare(Compare compare, EtcdKeyspace keys)
    {
        var result = new Etcdserverpb.Compare
        {
            Key = keys.Key(compare.Key),
            Result = compare.Op switch
            {
                CompareOp.Equal => Etcdserverpb.Compare.Types.CompareResult.Equal,
                CompareOp.NotEqual => Etcdserverpb.Compare.Types.CompareResult.NotEqual,
                CompareOp.Greater => Etcdserverpb.Compare.Types.CompareResult.Greater,
                _ => Etcdserverpb.Compare.Types.CompareResult.Less,
            },
        };
        switch (compare.Target)
        {
            case CompareTarget.Version:
                result.Target = Etcdserverpb.Compare.Types.CompareTarget.Version;
                result.Version = compare.Number;
                break;
            case CompareTarget.CreateRevision:
                result.Target = Etcdserverpb.Compare.Types.CompareTarget.Create;
                result.CreateRevision = keys.ToEtcd(compare.Number);
                break;
            case CompareTarget.ModRevision:
                result.Target = Etcdserverpb.Compare.Types.CompareTarget.Mod;
                result.ModRevision = keys.ToEtcd(compare.Number);
                break;
            default:
                result.Target = Etcdserverpb.Compare.Types.CompareTarget.Value;
                result.Value = ByteString.CopyFrom(compare.Bytes.Span);
                break;
        }

        return result;
    }
}
