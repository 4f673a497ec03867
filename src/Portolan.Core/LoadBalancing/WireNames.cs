using System.Collections.Frozen;
using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using System.Text.Json.Serialization;

namespace Portolan.Core.LoadBalancing;

/// <summary>
/// The AWS names of the load-balancing enums (<c>HTTP</c>, <c>fixed-response</c>, <c>Target.Timeout</c>, …), read
/// once from their <see cref="JsonStringEnumMemberNameAttribute"/>s so storage and the wire can never disagree.
/// </summary>
public static class WireNames
{
    public static string Of<T>(T value) where T : struct, Enum => Cache<T>.Names[value];

    /// <summary>Parses an AWS name exactly as AWS spells it (case-sensitive, as ELB is).</summary>
    public static bool TryParse<T>([NotNullWhen(true)] string? name, out T value) where T : struct, Enum
    {
        if (name is not null && Cache<T>.Values.TryGetValue(name, out value)) return true;
        value = default;
        return false;
    }

    /// <summary>Every AWS name of <typeparamref name="T"/>, in declaration order, for error messages.</summary>
    public static IReadOnlyList<string> All<T>() where T : struct, Enum => Cache<T>.Ordered;

    private static class Cache<T> where T : struct, Enum
    {
        public static readonly FrozenDictionary<T, string> Names;
        public static readonly FrozenDictionary<string, T> Values;
        public static readonly string[] Ordered;

        static Cache()
        {
            var fields = typeof(T).GetFields(BindingFlags.Public | BindingFlags.Static);
            var pairs = fields.Select(f => ((T)f.GetValue(null)!, f.GetCustomAttribute<JsonStringEnumMemberNameAttribute>()?.Name ?? f.Name)).ToArray();
            Names = pairs.ToFrozenDictionary(p => p.Item1, p => p.Item2);
            Values = pairs.ToFrozenDictionary(p => p.Item2, p => p.Item1, StringComparer.Ordinal);
            Ordered = pairs.Select(p => p.Item2).ToArray();
        }
    }
}
