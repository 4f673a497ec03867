using System.Diagnostics;

namespace Portolan.IntegrationTests.Ecs.Support;

/// <summary>What one command did.</summary>
public sealed record ShellResult(int ExitCode, string StdOut, string StdErr)
{
    public override string ToString() => $"exit {ExitCode}\nstdout: {StdOut}\nstderr: {StdErr}";
}

/// <summary>Runs a program as a user types it in a shell (curl, dig, kill, dotnet), without a shell, and captures its output.</summary>
public static class Shell
{
    public static async Task<ShellResult> RunAsync(string program, params string[] args)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
        foreach (var arg in args) start.ArgumentList.Add(arg);
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {program}.");
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{program} {string.Join(' ', args)} did not finish.");
        }
        return new ShellResult(process.ExitCode, await stdout, await stderr);
    }

    /// <summary>Runs the program and requires exit 0; returns stdout.</summary>
    public static async Task<string> OkAsync(string program, params string[] args)
    {
        var result = await RunAsync(program, args);
        Assert.True(result.ExitCode == 0, $"{program} {string.Join(' ', args)}\n{result}");
        return result.StdOut;
    }
}
