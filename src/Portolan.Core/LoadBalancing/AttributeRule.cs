using System.Collections.Frozen;
using System.Collections.Immutable;
using System.Globalization;

namespace Portolan.Core.LoadBalancing;

/// <summary>
/// One attribute of a load balancer or target group: its key, AWS's default and what values it takes.
/// <see cref="Check"/> returns null for a good value, else the reason it is not.
/// </summary>
internal sealed record AttributeRule(string Key, string Default, Func<string, string?> Check)
{
    public static AttributeRule Int(string key, int @default, int min, int max) =>
        new(key, @default.ToString(CultureInfo.InvariantCulture), v => IsInt(v, min, max) ? null : $"must be an integer between {min} and {max}");

    public static AttributeRule Bool(string key, bool @default) =>
        new(key, @default ? "true" : "false", v => v is "true" or "false" ? null : "must be true or false");

    public static AttributeRule OneOf(string key, string @default, params string[] values) =>
        new(key, @default, v => values.Contains(v, StringComparer.Ordinal) ? null : $"must be one of: {string.Join(", ", values)}");

    /// <summary>An integer in range, or <c>off</c>.</summary>
    public static AttributeRule IntOrOff(string key, string @default, int min, int max) =>
        new(key, @default, v => v == "off" || IsInt(v, min, max) ? null : $"must be 'off' or an integer between {min} and {max}");

    public static AttributeRule Text(string key, string @default, int maxLength) =>
        new(key, @default, v => v.Length <= maxLength ? null : $"must be at most {maxLength} characters");

    public static bool IsInt(string value, int min, int max) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n >= min && n <= max;

    public static int IntOf(IReadOnlyDictionary<string, string> attributes, string key, int fallback) =>
        attributes.TryGetValue(key, out var v) && int.TryParse(v, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : fallback;

    /// <summary>
    /// Applies <paramref name="changes"/> to <paramref name="current"/> under <paramref name="rules"/>. An unknown key or
    /// a bad value is a ValidationError and nothing changes.
    /// </summary>
    public static ImmutableSortedDictionary<string, string> Apply(
        FrozenDictionary<string, AttributeRule> rules, ImmutableSortedDictionary<string, string> current,
        IReadOnlyList<KeyValuePair<string, string?>> changes, string owner)
    {
        if (changes.Count == 0) throw ElbErrors.Validation("At least one attribute must be specified");
        var next = current.ToBuilder();
        foreach (var (key, value) in changes)
        {
            if (string.IsNullOrEmpty(key) || !rules.TryGetValue(key, out var rule))
                throw ElbErrors.Validation($"{owner} attribute key '{key}' is not recognized");
            var text = value ?? "";
            if (rule.Check(text) is { } problem)
                throw ElbErrors.Validation($"{owner} attribute '{key}' {problem}; '{text}' is not valid");
            next[key] = text;
        }
        return next.ToImmutable();
    }

    public static ImmutableSortedDictionary<string, string> Defaults(IEnumerable<AttributeRule> rules) =>
        rules.ToImmutableSortedDictionary(r => r.Key, r => r.Default, StringComparer.Ordinal);
}
