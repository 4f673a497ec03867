using System.Diagnostics;
using System.Text;

namespace Portolan.Testing;

/// <summary>
/// <c>portolan serve</c> as a child process, for tests that need the real binary (signals, exit codes, stdout).
/// Start-up waits for the <c>ready</c> line and collects the <c>api: URL</c> lines printed before it, so
/// <c>--api 127.0.0.1:0</c> works: the real port is read, never guessed.
/// </summary>
public sealed class PortolanProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _stderr = new();
    private readonly StringBuilder _stdout = new();
    private readonly List<Uri> _apiEndpoints = [];

    private PortolanProcess(Process process)
    {
        _process = process;
        _process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (_stderr)
                {
                    _stderr.AppendLine(e.Data);
                }
            }
        };
        _process.BeginErrorReadLine();
    }

    /// <summary>The bound API endpoints from the <c>api:</c> lines, in printed order.</summary>
    public IReadOnlyList<Uri> ApiEndpoints => _apiEndpoints;

    public Uri ApiUri => ApiEndpoints[0];

    public int ProcessId => _process.Id;

    /// <summary>Everything the server wrote to stderr (its logs) so far.</summary>
    public string StdErr => Snapshot(_stderr);

    /// <summary>Everything the server wrote to stdout so far, start-up lines included.</summary>
    public string StdOut => Snapshot(_stdout);

    /// <summary>The <c>portolan.dll</c> that a test project referencing src/Portolan gets next to its own assembly.</summary>
    public static string DefaultAssemblyPath => Path.Combine(AppContext.BaseDirectory, "portolan.dll");

    /// <summary>Starts <c>dotnet portolan.dll ARGS</c> and waits for <c>ready</c> (or for the process to die).</summary>
    public static async Task<PortolanProcess> StartAsync(IEnumerable<string> args, TimeSpan? timeout = null, string? assemblyPath = null)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(assemblyPath ?? DefaultAssemblyPath);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        var result = new PortolanProcess(Process.Start(start) ?? throw new InvalidOperationException("Could not start dotnet."));
        using var cancel = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(60));
        try
        {
            await result.ReadUntilReadyAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            await result.DisposeAsync();
            throw new TimeoutException($"portolan was not ready in time.\nstdout: {result.StdOut}\nstderr: {result.StdErr}");
        }
        catch
        {
            await result.DisposeAsync();
            throw;
        }

        // Keep draining stdout so the child never blocks on a full pipe.
        _ = Task.Run(() => result.ReadRestAsync());
        return result;
    }

    /// <summary>Runs a command that ends by itself (<c>--version</c>, a usage error) and captures its output.</summary>
    public static async Task<(int ExitCode, string StdOut, string StdErr)> RunToExitAsync(
        IEnumerable<string> args, TimeSpan? timeout = null, string? assemblyPath = null)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(assemblyPath ?? DefaultAssemblyPath);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start dotnet.");
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cancel = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"portolan {string.Join(' ', args)} did not exit in time.");
        }

        return (process.ExitCode, await stdout, await stderr);
    }

    /// <summary>Waits for the process to exit on its own (e.g. after a usage error); returns the exit code.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan? timeout = null)
    {
        // Beyond the server's own shutdown timeout (45 s), so a slow stop shows as its exit code, not a test timeout.
        using var cancel = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(60));
        await _process.WaitForExitAsync(cancel.Token);
        return _process.ExitCode;
    }

    private async Task ReadUntilReadyAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var line = await _process.StandardOutput.ReadLineAsync(cancellationToken);
            if (line is null)
            {
                await _process.WaitForExitAsync(cancellationToken);
                throw new InvalidOperationException(
                    $"portolan exited with {_process.ExitCode} before it was ready.\nstdout: {StdOut}\nstderr: {StdErr}");
            }

            Append(line);
            if (line == "ready")
            {
                return;
            }

            if (line.StartsWith("api: ", StringComparison.Ordinal))
            {
                _apiEndpoints.Add(new Uri(line["api: ".Length..]));
            }
        }
    }

    private async Task ReadRestAsync()
    {
        while (await _process.StandardOutput.ReadLineAsync() is { } line)
        {
            Append(line);
        }
    }

    private void Append(string line)
    {
        lock (_stdout)
        {
            _stdout.AppendLine(line);
        }
    }

    /// <summary>Sends SIGTERM and waits for the exit; returns the exit code.</summary>
    public async Task<int> StopAsync(TimeSpan? timeout = null)
    {
        if (!_process.HasExited)
        {
            using var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
            await kill.WaitForExitAsync();
        }

        // Beyond the server's own shutdown timeout (45 s), so a slow stop shows as its exit code, not a test timeout.
        using var cancel = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(60));
        await _process.WaitForExitAsync(cancel.Token);
        return _process.ExitCode;
    }

    /// <summary>
    /// Kills the server hard (SIGKILL: no shutdown code runs, nothing is flushed) and waits until it is gone, as a
    /// crash or power loss would leave it.
    /// </summary>
    public async Task KillAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        await _process.WaitForExitAsync();
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }

    private static string Snapshot(StringBuilder builder)
    {
        lock (builder)
        {
            return builder.ToString();
        }
    }
}
