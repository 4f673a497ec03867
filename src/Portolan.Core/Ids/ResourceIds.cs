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
    private const string UpperAlnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

    public static string NewNamespaceId() => "ns-" + Random(Base32, 16);
    public static string NewServiceId() => "srv-" + Random(Base32, 16);
    public static string NewOperationId() => Random(Base32, 32) + "-" + Random(Base32, 8);
    public static string NewHostedZoneId() => "Z" + Random(UpperAlnum, 20);

    private static string Random(string alphabet, int length) =>
        string.Create(length, alphabet, static (span, abc) =>
        {
            for (var i = 0; i < span.Length; i++)
            {
                span[i] = abc[RandomNumberGenerator.GetInt32(abc.Length)];
            }
        });
}
