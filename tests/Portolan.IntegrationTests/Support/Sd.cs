using System.Text.Json;
using System.Text.RegularExpressions;
using Portolan.Testing;

namespace Portolan.IntegrationTests.Support;

/// <summary>
/// <c>aws servicediscovery …</c> through one <see cref="AwsCli"/>: run a command, require success and get its JSON
/// output, or require a given service error.
/// </summary>
public sealed class Sd(AwsCli cli)
{
    public AwsCli Cli { get; } = cli;

    public Task<AwsCliResult> RunAsync(params string[] args) => Cli.RunAsync(["servicediscovery", .. args], CancellationToken.None);

    /// <summary>Runs the command, requires exit 0 and returns stdout as JSON (<see cref="JsonValueKind.Undefined"/> when empty).</summary>
    public async Task<JsonElement> OkAsync(params string[] args)
    {
        var result = await RunAsync(args);
        Assert.True(result.ExitCode == 0, $"aws servicediscovery {string.Join(' ', args)}\n{result}");
        return Json.Parse(result.StdOut);
    }

    /// <summary>Runs the command and requires the CLI's service-error report (exit 254) for <paramref name="code"/>.</summary>
    public async Task<AwsCliResult> FailsAsync(string code, string operation, params string[] args)
    {
        var result = await RunAsync(args);
        AwsError.Assert(result, code, operation);
        return result;
    }
}

/// <summary>How the CLI reports an error the service returned (WIRE.md §3, §6).</summary>
public static class AwsError
{
    /// <summary>
    /// Exit 254, nothing on stdout, and <c>An error occurred (CODE) when calling the OP operation: MESSAGE</c> on stderr.
    /// The CLI adds <c> (reached max retries: 0)</c> before the colon because the tests set AWS_MAX_ATTEMPTS.
    /// </summary>
    public static void Assert(AwsCliResult result, string code, string operation)
    {
        Xunit.Assert.True(result.ExitCode == AwsCli.ServiceErrorExitCode, $"expected {code} from {operation}, got {result}");
        Xunit.Assert.True(string.IsNullOrWhiteSpace(result.StdOut), result.ToString());
        var pattern = $@"^An error occurred \({Regex.Escape(code)}\) when calling the {Regex.Escape(operation)} operation( \(reached max retries: \d+\))?: \S.*$";
        Xunit.Assert.Matches(new Regex(pattern, RegexOptions.Multiline), result.StdErr.Trim());
    }
}

/// <summary>Reading the CLI's JSON output.</summary>
public static class Json
{
    public static JsonElement Parse(string text)
    {
        if (string.IsNullOrWhiteSpace(text)) return default;
        using var doc = JsonDocument.Parse(text);
        return doc.RootElement.Clone();
    }

    public static string Str(this JsonElement e, string name) =>
        e.GetProperty(name).GetString() ?? throw new InvalidOperationException($"{name} is null in {e}");

    public static string? OptStr(this JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    /// <summary>The values of <paramref name="member"/> of every object in the array <paramref name="array"/>.</summary>
    public static List<string> Column(this JsonElement e, string array, string member) =>
        e.GetProperty(array).EnumerateArray().Select(x => x.Str(member)).ToList();

    /// <summary>A JSON object of strings as a dictionary.</summary>
    public static Dictionary<string, string> Map(this JsonElement e, string name) =>
        e.GetProperty(name).EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!, StringComparer.Ordinal);

    /// <summary>A timestamp as the CLI prints it (<c>2024-11-24T16:00:00.123000+00:00</c>).</summary>
    public static DateTimeOffset Time(this JsonElement e, string name) =>
        DateTimeOffset.Parse(e.Str(name), System.Globalization.CultureInfo.InvariantCulture);
}
