using System.Diagnostics.CodeAnalysis;
using Portolan.Dns.Wire;

namespace Portolan.Dns.Zones;

/// <summary>
/// Compares wire-form names ignoring ASCII case, as stored <c>byte[]</c> keys or as a query's span, so a lookup
/// hashes the query's octets in place with no string or array made per query.
/// </summary>
internal sealed class NameComparer : IEqualityComparer<byte[]>, IAlternateEqualityComparer<ReadOnlySpan<byte>, byte[]>
{
    public static readonly NameComparer Instance = new();

    public bool Equals(byte[]? x, byte[]? y) => x is not null && y is not null && DnsName.EqualsIgnoreCase(x, y);

    public int GetHashCode([DisallowNull] byte[] obj) => DnsName.Hash(obj);

    public bool Equals(ReadOnlySpan<byte> alternate, byte[] other) => DnsName.EqualsIgnoreCase(alternate, other);

    public int GetHashCode(ReadOnlySpan<byte> alternate) => DnsName.Hash(alternate);

    public byte[] Create(ReadOnlySpan<byte> alternate) => alternate.ToArray();
}
