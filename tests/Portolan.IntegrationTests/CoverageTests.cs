using System.IO.Compression;
using System.Text.Json;
using System.Text.RegularExpressions;
using Portolan.IntegrationTests.Support;

namespace Portolan.IntegrationTests;

/// <summary>
/// Keeps "every Cloud Map operation the installed aws CLI knows is driven through it by these tests" true: reads the
/// servicediscovery model bundled with the CLI and looks for each command name in this project's sources. A newer CLI
/// with more operations makes this fail until they are tested.
/// </summary>
public sealed partial class CoverageTests
{
    private const string ModelRoot = "/usr/lib/python3/dist-packages/awscli/botocore/data/servicediscovery";

    [Fact]
    public void Every_servicediscovery_command_of_the_installed_cli_is_run_by_a_test()
    {
        var commands = CliOperations().Select(Kebab).ToList();
        Assert.True(commands.Count >= 26, $"only {commands.Count} operations in the CLI's model");

        var sources = string.Join('\n', Directory
            .EnumerateFiles(SourceTree.ProjectDirectory, "*Tests.cs", SearchOption.TopDirectoryOnly)
            .Select(File.ReadAllText));
        var untested = commands.Where(c => !sources.Contains($"\"{c}\"", StringComparison.Ordinal)).ToList();

        Assert.True(untested.Count == 0, $"servicediscovery commands no test runs: {string.Join(", ", untested)}");
    }

    private static IEnumerable<string> CliOperations()
    {
        var version = Directory.GetDirectories(ModelRoot).Order(StringComparer.Ordinal).Last();
        var plain = Path.Combine(version, "service-2.json");
        using var stream = File.Exists(plain)
            ? File.OpenRead(plain)
            : (Stream)new GZipStream(File.OpenRead(plain + ".gz"), CompressionMode.Decompress);
        using var model = JsonDocument.Parse(stream);
        return model.RootElement.GetProperty("operations").EnumerateObject().Select(o => o.Name).ToList();
    }

    /// <summary>The CLI's command name for an operation: <c>ListTagsForResource</c> → <c>list-tags-for-resource</c>.</summary>
    private static string Kebab(string operation) => WordStart().Replace(operation, "-$1").ToLowerInvariant();

    [GeneratedRegex("(?<=[a-z0-9])([A-Z])")]
    private static partial Regex WordStart();
}
