using System.Text.Json;
using System.Text.RegularExpressions;
using Portolan.IntegrationTests.Support;

namespace Portolan.IntegrationTests.Elb;

/// <summary>
/// Keeps "every elbv2 command of the installed aws CLI is driven by these tests" true: reads the elbv2 model bundled with
/// the CLI and looks for each command name in the tests of this folder. A newer CLI with more operations fails this until
/// they are served and tested.
/// </summary>
public sealed partial class ElbCoverageTests
{
    private const string ModelRoot = "/usr/lib/python3/dist-packages/awscli/botocore/data/elbv2";

    [Fact]
    public void Every_elbv2_command_of_the_installed_cli_is_run_by_a_test()
    {
        var version = Directory.GetDirectories(ModelRoot).Order(StringComparer.Ordinal).Last();
        using var stream = File.OpenRead(Path.Combine(version, "service-2.json"));
        using var model = JsonDocument.Parse(stream);
        var commands = model.RootElement.GetProperty("operations").EnumerateObject().Select(o => Kebab(o.Name)).ToList();
        Assert.True(commands.Count >= 34, $"only {commands.Count} operations in the CLI's model");

        var sources = string.Join('\n', Directory
            .EnumerateFiles(Path.Combine(SourceTree.ProjectDirectory, "Elb"), "*Tests.cs", SearchOption.TopDirectoryOnly)
            .Select(File.ReadAllText));
        var untested = commands.Where(c => !sources.Contains($"\"{c}\"", StringComparison.Ordinal)).ToList();
        Assert.True(untested.Count == 0, $"elbv2 commands no test runs: {string.Join(", ", untested)}");
    }

    /// <summary>The CLI's command name for an operation: <c>DescribeSSLPolicies</c> → <c>describe-ssl-policies</c>.</summary>
    private static string Kebab(string operation) =>
        AcronymEnd().Replace(WordStart().Replace(operation, "-$1"), "-$1").ToLowerInvariant();

    [GeneratedRegex("(?<=[a-z0-9])([A-Z])")]
    private static partial Regex WordStart();

    [GeneratedRegex("(?<=[A-Z])([A-Z][a-z])")]
    private static partial Regex AcronymEnd();
}
