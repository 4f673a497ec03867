using System.Text.RegularExpressions;

namespace Portolan.Core.Ecs.Validation;

/// <summary>Name rules shared by clusters, services, task definition families and containers (letters, digits, '-', '_'; 1-255).</summary>
public static partial class EcsNames
{
    [GeneratedRegex("^[a-zA-Z0-9_-]{1,255}$")]
    private static partial Regex Name();

    public static bool IsValid(string? name) => name is not null && Name().IsMatch(name);

    public static string Cluster(string? name) =>
        IsValid(name) ? name! : throw EcsErrors.Invalid($"Invalid cluster name '{name}'. Up to 255 letters (uppercase and lowercase), numbers, underscores, and hyphens are allowed.");

    public static string Service(string? name) =>
        IsValid(name) ? name! : throw EcsErrors.Invalid($"Invalid service name '{name}'. Up to 255 letters (uppercase and lowercase), numbers, underscores, and hyphens are allowed.");

    public static string Family(string? name) =>
        IsValid(name) ? name! : throw EcsErrors.ClientError($"Invalid family name '{name}'. Up to 255 letters (uppercase and lowercase), numbers, underscores, and hyphens are allowed.");
}
