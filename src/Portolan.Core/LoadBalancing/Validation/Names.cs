namespace Portolan.Core.LoadBalancing.Validation;

/// <summary>
/// Name rules of load balancers and target groups: 1–32 ASCII letters, digits and hyphens, not beginning or ending
/// with a hyphen; a load balancer's name may not begin with <c>internal-</c> (its DNS name would be ambiguous).
/// </summary>
public static class Names
{
    public const int MaxLength = 32;

    public static string LoadBalancer(string? name)
    {
        Check(name, "Load balancer");
        if (name!.StartsWith("internal-", StringComparison.OrdinalIgnoreCase))
            throw ElbErrors.Validation($"Load balancer name '{name}' cannot begin with 'internal-'");
        return name;
    }

    public static string TargetGroup(string? name)
    {
        Check(name, "Target group");
        return name!;
    }

    private static void Check(string? name, string what)
    {
        if (string.IsNullOrEmpty(name)) throw ElbErrors.Validation($"{what} name cannot be empty");
        if (name.Length > MaxLength) throw ElbErrors.Validation($"{what} name '{name}' cannot be longer than '{MaxLength}' characters");
        if (!name.All(c => char.IsAsciiLetterOrDigit(c) || c == '-'))
            throw ElbErrors.Validation($"{what} name '{name}' can only contain characters that are alphanumeric characters or hyphens(-)");
        if (name[0] == '-' || name[^1] == '-') throw ElbErrors.Validation($"{what} name '{name}' cannot begin or end with '-'");
    }
}
