using System.Security.Cryptography;

namespace Portolan.Core.Ids;

/// <summary>
/// Generates ids in AWS's formats: Cloud Map namespaces <c>ns-</c> and services <c>srv-</c> followed by 16
/// lower-case base32 characters (<c>ns-a3bmw7dh6vh4bz2h</c>), operation ids of 32 + 8 characters joined by a
/// hyphen (<c>gv4g5meo7ndmeh4fqskygvk23d2fijwa-k9302yzd</c>), route53-style hosted zone ids (<c>Z</c> + 20).
/// </summary>
public static class ResourceIds
{
    private const string Base32 = "abcdefghijklmnopqrstuvwxyz234567";
    // The same 32 characters in ASCII order, for the time prefix of operation ids: digit order = string order.
    private const string SortedBase32 = "234567abcdefghijklmnopqrstuvwxyz";
    private const string UpperAlnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

    public static string NewNamespaceId() => "ns-" + Random(Base32, 16);
    public static string NewServiceId() => "srv-" + Random(Base32, 16);
    public static string NewOperationId() => NewOperationId(DateTimeOffset.UtcNow);

    /// <summary>
    /// An operation id in AWS's shape whose first 10 characters are <paramref name="createdAt"/> (milliseconds
    /// since 1970, base32, most significant first) and the rest random. The store keeps keys in order, so a new
    /// operation lands at the end of the index rather than on a random page: with random ids every
    /// RegisterInstance dirtied a page of its own (26 KB written per durable register under load, 8 KB now).
    /// ListOperations also comes back oldest first.
    /// </summary>
    public static string NewOperationId(DateTimeOffset createdAt)
    {
        Span<char> id = stackalloc char[41];
        var ms = (ulong)Math.Max(0, createdAt.ToUnixTimeMilliseconds());
        for (var i = 9; i >= 0; i--, ms >>= 5) id[i] = SortedBase32[(int)(ms & 31)];
        RandomNumberGenerator.GetItems(Base32, id[10..32]);
        id[32] = '-';
        RandomNumberGenerator.GetItems(Base32, id[33..]);
        return new string(id);
    }
    public static string NewHostedZoneId() => "Z" + Random(UpperAlnum, 20);

    // One call for the whole id: for an alphabet of 2^n characters GetString fills the bytes in bulk. A call per
    // character (GetInt32) went through OpenSSL's provider machinery 40 times per operation id, a tenth of the
    // CPU time of a RegisterInstance.
    private static string Random(string alphabet, int length) => RandomNumberGenerator.GetString(alphabet, length);
}
