using System.Diagnostics;

namespace Portolan.Tasks.Runtime;

/// <summary>
/// Runs one container health check: <c>["CMD", exe, args…]</c> runs the executable, <c>["CMD-SHELL", script]</c> runs
/// <c>/bin/sh -c script</c>, with the container's environment and working directory. Exit code 0 passes; anything else,
/// or running past the timeout (the probe's process group is killed), fails. The probe's output replaces
/// <c>&lt;container&gt;.health.log</c> next to the container's log, for whoever wonders why a check fails.
/// </summary>
internal static class HealthProbe
{
    public static async Task<bool> RunAsync(IReadOnlyList<string> command, IReadOnlyDictionary<string, string> environment,
        string workingDirectory, string outputPath, TimeSpan timeout, CancellationToken ct)
    {
        List<string> argv = command[0] == "CMD-SHELL" ? ["/bin/sh", "-c", command[1]] : [.. command.Skip(1)];
        var executable = ProcessLauncher.Resolve(argv[0], workingDirectory, environment.GetValueOrDefault("PATH"));
        if (executable is null || !Directory.Exists(workingDirectory)) return false;

        var start = new ProcessStartInfo("/usr/bin/setsid") { UseShellExecute = false, WorkingDirectory = workingDirectory };
        foreach (var arg in (string[])["/bin/sh", "-c", "f=$1; shift; exec \"$@\" </dev/null >\"$f\" 2>&1", "sh", outputPath, executable]) start.ArgumentList.Add(arg);
        for (var i = 1; i < argv.Count; i++) start.ArgumentList.Add(argv[i]);
        start.Environment.Clear();
        foreach (var (name, value) in environment) start.Environment[name] = value;

        using var process = Process.Start(start);
        if (process is null) return false;
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(timeout);
        try
        {
            await process.WaitForExitAsync(deadline.Token);
            return process.ExitCode == 0;
        }
        catch (OperationCanceledException)
        {
            Posix.SignalGroup(process.Id, Posix.SigKill);
            await process.WaitForExitAsync(CancellationToken.None);
            if (ct.IsCancellationRequested) throw;
            return false;
        }
    }
}
