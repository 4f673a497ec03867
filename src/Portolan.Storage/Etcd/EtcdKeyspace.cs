using System.Text;
using Google.Protobuf;

namespace Portolan.Storage.Etcd;

/// <summary>
/// How Portolan's keys and revisions sit inside etcd's. Keys: a store key <c>k</c> is the etcd key
/// <c>{namespace}/data{k}</c> (UTF-8), so prefixes and byte order carry over unchanged. Revisions: etcd's revision
/// counter is shared by the whole cluster and starts at 1, while the store contract starts an empty store at 0.
/// The store's origin is the etcd revision of the write that created its <c>meta/origin</c> key; a store revision
/// is the etcd revision minus the origin, so the first data write is revision 1. On an etcd cluster Portolan has
/// to itself revisions stay contiguous; when other clients write to the same etcd they skip numbers (still only
/// growing, still one per transaction).
/// </summary>
internal sealed class EtcdKeyspace
{
    private readonly byte[] _data;

    public EtcdKeyspace(string ns)
    {
        _data = Encoding.UTF8.GetBytes(ns + "/data");
        DataStart = ByteString.CopyFrom(_data);
        DataEnd = ByteString.CopyFrom(PrefixEnd(_data));
        OriginKey = ByteString.CopyFromUtf8(ns + "/meta/origin");
    }

    /// <summary>The etcd key whose create revision is the store's origin.</summary>
    public ByteString OriginKey { get; }

    /// <summary>First etcd key of the data range (the data prefix itself).</summary>
    public ByteString DataStart { get; }

    /// <summary>The end (exclusive) of the data range.</summary>
    public ByteString DataEnd { get; }

    /// <summary>The etcd revision that is store revision 0; set once the store is opened.</summary>
    public long Origin { get; set; }

    public ByteString Key(string key) => ByteString.CopyFrom(Encode(key));

    /// <summary>The etcd range [start, end) holding every key that starts with <paramref name="prefix"/>.</summary>
    public (ByteString Start, ByteString End) Prefix(string prefix)
    {
        if (prefix.Length == 0)
        {
            return (DataStart, DataEnd);
        }

        var start = Encode(prefix);
        return (ByteString.CopyFrom(start), ByteString.CopyFrom(PrefixEnd(start)));
    }

    /// <summary>The smallest etcd key ordered after <paramref name="key"/>: the key with a 0x00 byte appended.</summary>
    public ByteString After(string key)
    {
        var encoded = Encode(key);
        Array.Resize(ref encoded, encoded.Length + 1);
        return ByteString.CopyFrom(encoded);
    }

    public string Decode(ByteString etcdKey) => Encoding.UTF8.GetString(etcdKey.Span[_data.Length..]);

    /// <summary>Store revision from an etcd revision; 0 (absent, or the delete side of an event) stays 0.</summary>
    public long FromEtcd(long revision) => revision == 0 ? 0 : revision - Origin;

    /// <summary>
    /// Etcd revision for a store revision. Non-positive values stay as they are, so every comparison between a
    /// key's revision (0, or above the origin) and the operand keeps its outcome.
    /// </summary>
    public long ToEtcd(long revision) => revision <= 0 ? revision : revision + Origin;

    public KeyValue ToKeyValue(Mvccpb.KeyValue kv) =>
        new(Decode(kv.Key), kv.Value.Memory, FromEtcd(kv.CreateRevision), FromEtcd(kv.ModRevision), kv.Version, kv.Lease);

    private byte[] Encode(string key)
    {
        var bytes = new byte[_data.Length + Encoding.UTF8.GetByteCount(key)];
        _data.CopyTo(bytes, 0);
        Encoding.UTF8.GetBytes(key, bytes.AsSpan(_data.Length));
        return bytes;
    }

    /// <summary>etcd's prefix end: drop trailing 0xFF bytes, then increment the last byte.</summary>
    private static byte[] PrefixEnd(byte[] prefix)
    {
        for (var i = prefix.Length - 1; i >= 0; i--)
        {
            if (prefix[i] < 0xFF)
            {
                var end = prefix[..(i + 1)];
                end[i]++;
                return end;
            }
        }

        // Only reachable for an all-0xFF prefix, which the data prefix never is ("…/data" ends in 'a').
        throw new InvalidOperationException("No key follows this prefix.");
    }
}
