namespace Portolan.IntegrationTests.Support;

/// <summary>Finds this project's source folders from the test binaries (bin/Debug/net10.0 sits inside the project).</summary>
public static class SourceTree
{
    /// <summary>tests/Portolan.IntegrationTests.</summary>
    public static string ProjectDirectory { get; } = FindUp(dir => File.Exists(Path.Combine(dir, "Portolan.IntegrationTests.csproj")));

    /// <summary>The repository root (the folder holding tests/).</summary>
    public static string RepositoryRoot { get; } = Path.GetFullPath(Path.Combine(ProjectDirectory, "..", ".."));

    private static string FindUp(Func<string, bool> match)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (match(dir.FullName)) return dir.FullName;
        }
        throw new InvalidOperationException($"Portolan.IntegrationTests.csproj not found above {AppContext.BaseDirectory}.");
    }
}
