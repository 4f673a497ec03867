using Portolan.Core.Registry;

namespace Portolan.Core.Discovery.Validation;

/// <summary>Tag rules (Cloud Map allows 50 tags per resource; keys 1-128, values 0-256, no <c>aws:</c> prefix).</summary>
public static class Tags
{
    public const int MaxPerResource = 50;

    public static void Validate(IReadOnlyList<KeyValuePair<string, string>>? tags)
    {
        if (tags is null) return;
        foreach (var (key, value) in tags)
        {
            if (string.IsNullOrEmpty(key) || key.Length > 128) throw RegistryException.InvalidInput("Tag keys must be 1-128 characters.");
            if (key.StartsWith("aws:", StringComparison.OrdinalIgnoreCase)) throw RegistryException.InvalidInput($"Tag key '{key}' uses the reserved prefix 'aws:'.");
            if (value is null || value.Length > 256) throw RegistryException.InvalidInput($"Tag '{key}' has a value longer than 256 characters.");
        }
    }
}
