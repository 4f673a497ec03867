using System.Text.Json;
using Portolan.IntegrationTests.Support;
using Portolan.Testing;

namespace Portolan.IntegrationTests.Ecs.Support;

/// <summary><c>aws ecs …</c> through one <see cref="AwsCli"/>: run a command and get its JSON output, or require a given ECS error.</summary>
public sealed class EcsCli(AwsCli cli)
{
    public AwsCli Cli { get; } = cli;

    public Task<AwsCliResult> RunAsync(params string[] args) => Cli.RunAsync(["ecs", .. args], CancellationToken.None);

    /// <summary>Runs the command, requires exit 0 and returns stdout as JSON.</summary>
    public async Task<JsonElement> OkAsync(params string[] args)
    {
        var result = await RunAsync(args);
        Assert.True(result.ExitCode == 0, $"aws ecs {string.Join(' ', args)}\n{result}");
        return Json.Parse(result.StdOut);
    }

    /// <summary>Runs the command and requires the CLI's report of the ECS error <paramref name="code"/>; returns the message.</summary>
    public async Task<string> FailsAsync(string code, string operation, params string[] args)
    {
        var result = await RunAsync(args);
        AwsError.Assert(result, code, operation);
        var line = result.StdErr.Trim();
        return line[(line.IndexOf("): ", StringComparison.Ordinal) + 3)..];
    }
}
