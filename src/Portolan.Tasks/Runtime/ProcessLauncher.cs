using System.Diagnostics;

namespace Portolan.Tasks.Runtime;

/// <summary>
/// Starts container processes. Each runs through <c>setsid</c> (its own session and process group, so a stop reaches
/// everything it starts) and <c>sh</c>, which points stdin at /dev/null and stdout and stderr at the container's log
/// file before it execs the command: the process never writes to a pipe of Portolan's, so it keeps running (and keeps
/// logging) if Portolan dies, and can be adopted when Portolan comes back.
/// </summary>
internal static class ProcessLauncher
{
    private const string Setsid = "/usr/bin/setsid";
    private const string Shell = "/bin/sh";

    // $1 is the log file; the rest is the command, exec'd so that its PID is the one setsid started.
    private const string Redirect = "f=$1; shift; exec \"$@\" </dev/null >>\"$f\" 2>&1";

    /// <summary>Starts the process; throws <see cref="ContainerStartException"/> when its command cannot run.</summary>
    public static ContainerProcess Start(ContainerLaunch launch)
    {
        if (launch.Argv.Count == 0) throw new ContainerStartException("CannotStartContainerError: no command specified (Portolan runs the command or entryPoint; it does not read commands from images)");
        if (!Directory.Exists(launch.WorkingDirectory))
            throw new ContainerStartException($"CannotStartContainerError: chdir to cwd (\"{launch.WorkingDirectory}\") failed: no such file or directory");
        var executable = Resolve(launch.Argv[0], launch.WorkingDirectory, launch.Environment.GetValueOrDefault("PATH"))
            ?? throw new ContainerStartException($"CannotStartContainerError: exec: \"{launch.Argv[0]}\": executable file not found in $PATH");
        Directory.CreateDirectory(Path.GetDirectoryName(launch.LogPath)!);

        var start = new ProcessStartInfo(Setsid) { UseShellExecute = false, WorkingDirectory = launch.WorkingDirectory };
        foreach (var arg in (string[])[Shell, "-c", Redirect, "sh", launch.LogPath, executable]) start.ArgumentList.Add(arg);
        for (var i = 1; i < launch.Argv.Count; i++) start.ArgumentList.Add(launch.Argv[i]);
        start.Environment.Clear();
        foreach (var (name, value) in launch.Environment) start.Environment[name] = value;

        var process = Process.Start(start) ?? throw new ContainerStartException("CannotStartContainerError: the process could not be created");
        // setsid execs in place (its caller is no group leader), so the PID is the command's, and its group's id.
        var identity = ProcessIdentity.Of(process.Id) ?? new ProcessIdentity(process.Id, 0, ProcessIdentity.BootIdNow);
        return ContainerProcess.Started(process, identity);
    }

    /// <summary>Finds the file a command names as execvp would: a path as given, a bare name on PATH.</summary>
    public static string? Resolve(string file, string workingDirectory, string? path)
    {
        if (file.Length == 0) return null;
        if (file.Contains('/')) return IsExecutable(Path.Combine(workingDirectory, file)) ? Path.GetFullPath(file, workingDirectory) : null;
        foreach (var dir in (path ?? "/usr/local/bin:/usr/bin:/bin").Split(':'))
        {
            var candidate = Path.Combine(dir.Length == 0 ? workingDirectory : dir, file);
            if (IsExecutable(candidate)) return Path.GetFullPath(candidate, workingDirectory);
        }
        return null;
    }

    private static bool IsExecutable(string path) =>
        File.Exists(path) && (OperatingSystem.IsWindows()
            || (File.GetUnixFileMode(path) & (UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute)) != 0);
}
