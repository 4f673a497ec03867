using System.Text.RegularExpressions;

namespace Portolan.Core.LoadBalancing.Validation;

/// <summary>
/// ELB tag rules: at most 50 per resource, keys 1–128 and values 0–256 characters of letters, digits, spaces and
/// <c>_.:/=+-@</c>, no <c>aws:</c> prefix; a key twice in one request is DuplicateTagKeys.
/// </summary>
public static partial class Tags
{
    public const int MaxPerResource = 50;

    public static void Validate(IReadOnlyList<KeyValuePair<string, string?>>? tags)
    {
        if (tags is null) return;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (key, value) in tags)
        {
            if (string.IsNullOrEmpty(key)) throw ElbErrors.Validation("A tag key cannot be empty");
            if (key.Length > 128 || !Allowed().IsMatch(key)) throw ElbErrors.Validation($"Tag key '{key}' must be at most 128 letters, digits, spaces or _.:/=+-@");
            if (key.StartsWith("aws:", StringComparison.OrdinalIgnoreCase)) throw ElbErrors.Validation($"Tag key '{key}' cannot start with the reserved prefix 'aws:'");
            if (value is not null && (value.Length > 256 || !Allowed().IsMatch(value)))
                throw ElbErrors.Validation($"The value of tag '{key}' must be at most 256 letters, digits, spaces or _.:/=+-@");
            if (!seen.Add(key)) throw new Registry.RegistryException(ElbErrors.DuplicateTagKeys, $"Tag key '{key}' is specified more than once");
        }
        if (tags.Count > MaxPerResource) throw TooMany();
    }

    public static Registry.RegistryException TooMany() => new(ElbErrors.TooManyTags, $"A resource can have at most {MaxPerResource} tags");

    [GeneratedRegex(@"^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$")]
    private static partial Regex Allowed();
}
