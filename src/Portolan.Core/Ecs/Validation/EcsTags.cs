namespace Portolan.Core.Ecs.Validation;

/// <summary>ECS tag rules: at most 50 per resource, keys 1-128 and values 0-256 characters, <c>aws:</c> reserved.</summary>
public static class EcsTags
{
    public const int MaxPerResource = 50;

    public static void Validate(IReadOnlyList<KeyValuePair<string, string>>? tags)
    {
        if (tags is null) return;
        if (tags.Count > MaxPerResource) throw EcsErrors.Invalid($"A resource can have at most {MaxPerResource} tags.");
        foreach (var (key, value) in tags)
        {
            if (string.IsNullOrEmpty(key) || key.Length > 128) throw EcsErrors.Invalid("Tag keys must be between 1 and 128 characters.");
            if (key.StartsWith("aws:", StringComparison.OrdinalIgnoreCase)) throw EcsErrors.Invalid($"Tag key '{key}' is invalid: the 'aws:' prefix is reserved for AWS use.");
            if (value is null || value.Length > 256) throw EcsErrors.Invalid($"The value of tag '{key}' must be at most 256 characters.");
        }
    }
}
