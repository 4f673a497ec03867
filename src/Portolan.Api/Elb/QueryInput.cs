using System.Globalization;
using Portolan.Api.Edge;
using Portolan.Core.LoadBalancing;

namespace Portolan.Api.Elb;

/// <summary>
/// Typed reads of a Query-protocol form (WIRE.md §5): scalars by name, lists as <c>Name.member.N</c> (1, 2, … until one
/// is missing) and structures by dotted prefix. A value of the wrong type is ELB's ValidationError.
/// </summary>
internal sealed class QueryInput(IReadOnlyDictionary<string, string> form)
{
    private HashSet<string>? _prefixes;

    public string? Str(string key) => form.TryGetValue(key, out var v) ? v : null;

    /// <summary>A member the operation can't do without: missing is ELB's "1 validation error detected" ValidationError.</summary>
    public string Required(string key) =>
        Str(key) is { Length: > 0 } v ? v : throw Errors.Validation($"1 validation error detected: Value null at '{Camel(key)}' failed to satisfy constraint: Member must not be null");

    public int? Int(string key)
    {
        if (Str(key) is not { } v) return null;
        return int.TryParse(v, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n)
            ? n : throw Errors.Validation($"Value '{v}' at '{Camel(key)}' is not a valid integer");
    }

    public bool? Bool(string key) => Str(key) switch
    {
        null => null,
        "true" or "True" => true,
        "false" or "False" => false,
        var v => throw Errors.Validation($"Value '{v}' at '{Camel(key)}' is not a valid boolean"),
    };

    /// <summary>An AWS enum member (exact spelling), e.g. <c>Protocol=HTTP</c>.</summary>
    public T? Enum<T>(string key) where T : struct, Enum
    {
        if (Str(key) is not { } v) return null;
        return WireNames.TryParse<T>(v, out var value) ? value
            : throw Errors.Validation($"1 validation error detected: Value '{v}' at '{Camel(key)}' failed to satisfy constraint: Member must satisfy enum value set: [{string.Join(", ", WireNames.All<T>())}]");
    }

    /// <summary>A list of strings: <c>key.member.1</c>, <c>key.member.2</c>, …</summary>
    public List<string> List(string key)
    {
        var list = new List<string>();
        for (var i = 1; form.TryGetValue(Member(key, i), out var v); i++) list.Add(v);
        return list;
    }

    /// <summary>A list of structures: <paramref name="read"/> gets each member's prefix (<c>key.member.N</c>).</summary>
    public List<T> Structs<T>(string key, Func<string, T> read)
    {
        var list = new List<T>();
        for (var i = 1; Has(Member(key, i)); i++) list.Add(read(Member(key, i)));
        return list;
    }

    /// <summary>Whether any parameter is <paramref name="prefix"/> or lies under it (<c>prefix.…</c>).</summary>
    public bool Has(string prefix)
    {
        if (form.ContainsKey(prefix)) return true;
        if (_prefixes is null)
        {
            _prefixes = new HashSet<string>(StringComparer.Ordinal);
            foreach (var key in form.Keys)
            {
                for (var dot = key.IndexOf('.', StringComparison.Ordinal); dot > 0; dot = key.IndexOf('.', dot + 1)) _prefixes.Add(key[..dot]);
            }
        }
        return _prefixes.Contains(prefix);
    }

    /// <summary>Tags as <c>key.member.N.Key</c> / <c>.Value</c>.</summary>
    public List<KeyValuePair<string, string?>> Tags(string key) =>
        Structs(key, p => KeyValuePair.Create(Str(p + ".Key") ?? "", Str(p + ".Value")));

    public static string Member(string key, int index) => key + ".member." + index.ToString(CultureInfo.InvariantCulture);

    /// <summary>The member name as ELB's validation messages spell it (<c>targetGroupArn</c>).</summary>
    private static string Camel(string key)
    {
        var last = key[(key.LastIndexOf('.') + 1)..];
        return last.Length == 0 ? key : char.ToLowerInvariant(last[0]) + last[1..];
    }
}

/// <summary>ELB errors raised by the wire layer itself (the registry raises the rest).</summary>
internal static class Errors
{
    public static AwsServiceException Validation(string message) => new(ElbErrors.ValidationError, message);
}
