using System.Diagnostics;
using System.Text;
using System.Text.Json;

namespace Portolan.Testing;

/// <summary>
/// Runs the real AWS CLI (Debian's v2 at <c>/usr/bin/aws</c>, not the pyenv v1 that may come first on PATH; see
/// WIRE.md §0) against a Portolan endpoint, with a clean environment: fixed credentials and region, no pager, one
/// attempt, no user config files and no inherited proxy settings.
/// <code>
/// var cli = new AwsCli(host.ApiUri);
/// var result = await cli.RunAsync("servicediscovery", "list-namespaces");
/// result.EnsureSuccess();
/// </code>
/// </summary>
public sealed class AwsCli(Uri? endpoint)
{
    public const string DebianPath = "/usr/bin/aws";

    /// <summary>The CLI's exit code for an error returned by the service (WIRE.md §6).</summary>
    public const int ServiceErrorExitCode = 254;

    public string ExecutablePath { get; init; } = DebianPath;
    public string AccessKeyId { get; init; } = "test";
    public string SecretAccessKey { get; init; } = "test";
    public string Region { get; init; } = "us-east-1";

    /// <summary>Kills the CLI (and fails the call) when it runs longer than this.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Extra environment, e.g. <c>HTTP_PROXY</c> to send requests in absolute form (WIRE.md §4).</summary>
    public IReadOnlyDictionary<string, string> Environment { get; init; } = new Dictionary<string, string>();

    /// <summary>Runs <c>aws ARGS --endpoint-url ENDPOINT</c> and captures everything.</summary>
    public Task<AwsCliResult> RunAsync(params string[] args) => RunAsync(args, CancellationToken.None);

    public async Task<AwsCliResult> RunAsync(IEnumerable<string> args, CancellationToken cancellationToken)
    {
        if (!File.Exists(ExecutablePath))
        {
            throw new InvalidOperationException($"The AWS CLI is not installed at {ExecutablePath} (Debian: apt-get install awscli).");
        }

        var start = new ProcessStartInfo(ExecutablePath)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        if (endpoint is not null)
        {
            start.ArgumentList.Add("--endpoint-url");
            start.ArgumentList.Add(endpoint.GetLeftPart(UriPartial.Authority));
        }

        ConfigureEnvironment(start.Environment);
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {ExecutablePath}.");
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Timeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(CancellationToken.None);
            throw new TimeoutException(
                $"aws {string.Join(' ', start.ArgumentList)} did not finish within {Timeout}.\nstdout: {await stdout}\nstderr: {await stderr}");
        }

        return new AwsCliResult(process.ExitCode, await stdout, await stderr);
    }

    private void ConfigureEnvironment(IDictionary<string, string?> environment)
    {
        // Anything inherited that changes where or how the CLI connects or signs would make a test lie.
        foreach (var name in environment.Keys.ToList())
        {
            if (name.StartsWith("AWS_", StringComparison.OrdinalIgnoreCase)
                || name.Equals("HTTP_PROXY", StringComparison.OrdinalIgnoreCase)
                || name.Equals("HTTPS_PROXY", StringComparison.OrdinalIgnoreCase)
                || name.Equals("ALL_PROXY", StringComparison.OrdinalIgnoreCase)
                || name.Equals("NO_PROXY", StringComparison.OrdinalIgnoreCase))
            {
                environment.Remove(name);
            }
        }

        environment["AWS_ACCESS_KEY_ID"] = AccessKeyId;
        environment["AWS_SECRET_ACCESS_KEY"] = SecretAccessKey;
        environment["AWS_DEFAULT_REGION"] = Region;
        environment["AWS_PAGER"] = "";
        environment["AWS_MAX_ATTEMPTS"] = "1";
        environment["AWS_RETRY_MODE"] = "standard";
        environment["AWS_CONFIG_FILE"] = "/dev/null";
        environment["AWS_SHARED_CREDENTIALS_FILE"] = "/dev/null";
        environment["AWS_EC2_METADATA_DISABLED"] = "true";
        foreach (var (name, value) in Environment)
        {
            environment[name] = value;
        }
    }
}

/// <summary>What one CLI run did.</summary>
public sealed record AwsCliResult(int ExitCode, string StdOut, string StdErr)
{
    /// <summary>Throws with the CLI's output when it did not exit 0.</summary>
    public AwsCliResult EnsureSuccess() =>
        ExitCode == 0 ? this : throw new InvalidOperationException($"aws exited {ExitCode}.\nstdout: {StdOut}\nstderr: {StdErr}");

    /// <summary>stdout parsed as JSON (the CLI's default output format).</summary>
    public JsonDocument Json() => JsonDocument.Parse(StdOut);

    public override string ToString() => $"exit {ExitCode}\nstdout: {StdOut}\nstderr: {StdErr}";
}
