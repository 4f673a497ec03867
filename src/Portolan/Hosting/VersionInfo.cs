using System.Reflection;

namespace Portolan.Hosting;

internal static class VersionInfo
{
    /// <summary>The product version, e.g. <c>0.1.0</c>.</summary>
    public static string Version { get; } = Informational.Split('+')[0];

    /// <summary>The version with the short commit it was built from, when the build knew it: <c>0.1.0 (0231966)</c>.</summary>
    public static string Display { get; } = Informational.Split('+') is [var version, var commit, ..]
        ? $"{version} ({commit[..Math.Min(7, commit.Length)]})"
        : Version;

    private static string Informational =>
        typeof(VersionInfo).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0";
}
