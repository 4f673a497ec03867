namespace Portolan.Storage;

/// <summary>What a <see cref="Compare"/> looks at, as in etcd's <c>Compare.target</c>.</summary>
public enum CompareTarget
{
    /// <summary>Writes since creation; 0 means the key does not exist.</summary>
    Version,
    /// <summary>Revision that created the key; 0 when absent.</summary>
    CreateRevision,
    /// <summary>Revision of the last write; 0 when absent.</summary>
    ModRevision,
    /// <summary>
    /// The value bytes, compared lexicographically. On an absent key every value compare fails, whatever the
    /// operator (etcd's rule: there is no value to compare); use <see cref="Version"/> to test existence.
    /// </summary>
    Value,
}

/// <summary>How a <see cref="Compare"/> relates the key's current state to the given operand.</summary>
public enum CompareOp { Equal, NotEqual, Greater, Less }

/// <summary>
/// One guard of a transaction, evaluated atomically with its writes (etcd's compare). A key that does not
/// exist has Version, CreateRevision and ModRevision 0, so <c>Compare.Absent(k)</c> is Version == 0.
/// </summary>
public sealed record Compare(string Key, CompareTarget Target, CompareOp Op, long Number, ReadOnlyMemory<byte> Bytes = default)
{
    public static Compare Absent(string key) => new(key, CompareTarget.Version, CompareOp.Equal, 0);
    public static Compare Exists(string key) => new(key, CompareTarget.Version, CompareOp.Greater, 0);
    public static Compare ModRevisionIs(string key, long revision) => new(key, CompareTarget.ModRevision, CompareOp.Equal, revision);
    public static Compare CreateRevisionIs(string key, long revision) => new(key, CompareTarget.CreateRevision, CompareOp.Equal, revision);
    public static Compare ValueIs(string key, ReadOnlyMemory<byte> value) => new(key, CompareTarget.Value, CompareOp.Equal, 0, value);
}
