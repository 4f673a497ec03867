using System.Collections.Immutable;

namespace Portolan.Core.LoadBalancing;

/// <summary>
/// Value equality for the collections inside records: <see cref="ImmutableArray{T}"/> and the immutable dictionaries
/// compare by reference, so records that hold them define <c>Equals</c> with these. Readers can then use <c>==</c> on
/// records to tell a real change from a rewrite of the same value.
/// </summary>
internal static class Structural
{
    public static bool Equal<T>(ImmutableArray<T> a, ImmutableArray<T> b) =>
        a.IsDefaultOrEmpty ? b.IsDefaultOrEmpty : !b.IsDefault && a.AsSpan().SequenceEqual(b.AsSpan());

    public static bool Equal(ImmutableSortedDictionary<string, string> a, ImmutableSortedDictionary<string, string> b) =>
        ReferenceEquals(a, b) || (a.Count == b.Count && a.All(kv => b.TryGetValue(kv.Key, out var v) && v == kv.Value));
}
