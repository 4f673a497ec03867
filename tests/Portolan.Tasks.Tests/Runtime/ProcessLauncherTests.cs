using System.Globalization;
using Portolan.Tasks.Runtime;
using Portolan.Testing;

namespace Portolan.Tasks.Tests.Runtime;

public sealed class ProcessLauncherTests : IDisposable
{
    private readonly TempDirectory _dir = new("portolan-proc");

    private ContainerLaunch Launch(params string[] argv) => new(argv,
        new Dictionary<string, string> { ["PATH"] = "/usr/bin:/bin", ["GREETING"] = "hello from env" },
        _dir.Path, Path.Combine(_dir.Path, "logs", "app.log"));

    [Fact]
    public async Task Start_RunsTheCommandInItsOwnProcessGroup_WithOutputInTheLogFile()
    {
        using var process = ProcessLauncher.Start(Launch("/bin/sh", "-c", "echo \"$GREETING\"; echo oops >&2; sleep 600 & exec sleep 600"));
        var log = Path.Combine(_dir.Path, "logs", "app.log");
        await Eventually.TrueAsync(() => File.Exists(log) && File.ReadAllText(log).Contains("oops", StringComparison.Ordinal), "the process wrote its output");
        Assert.Equal("hello from env\noops\n", File.ReadAllText(log));
        Assert.Equal(process.Pid, ProcessGroupOf(process.Pid));
        Assert.True(process.Identity.IsAlive());

        // SIGTERM reaches the whole group: the leader and the sleep it left in the background.
        var background = ChildrenInGroup(process.Pid).Where(pid => pid != process.Pid).ToList();
        Assert.Single(background);
        Assert.True(process.Signal(Posix.SigTerm));
        Assert.Equal(143, await process.Exited);
        await Eventually.TrueAsync(() => !Posix.GroupExists(process.Pid), "the group is gone");
        Assert.False(process.Identity.IsAlive());
    }

    [Fact]
    public async Task Start_ReportsTheExitCode()
    {
        using var process = ProcessLauncher.Start(Launch("sh", "-c", "exit 3"));
        Assert.Equal(3, await process.Exited);
    }

    [Fact]
    public void Start_WithAnUnknownCommand_FailsAsDockerWould()
    {
        var e = Assert.Throws<ContainerStartException>(() => ProcessLauncher.Start(Launch("nosuch-binary", "x")));
        Assert.Equal("CannotStartContainerError: exec: \"nosuch-binary\": executable file not found in $PATH", e.Message);
        e = Assert.Throws<ContainerStartException>(() => ProcessLauncher.Start(Launch() with { Argv = [] }));
        Assert.StartsWith("CannotStartContainerError: no command specified", e.Message, StringComparison.Ordinal);
        e = Assert.Throws<ContainerStartException>(() => ProcessLauncher.Start(Launch("true") with { WorkingDirectory = "/nonexistent-dir" }));
        Assert.Contains("chdir", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Adopted_NoticesTheExitOfAProcessItDidNotStart()
    {
        using var started = ProcessLauncher.Start(Launch("sleep", "600"));
        var identity = ProcessIdentity.Of(started.Pid)!.Value;
        Assert.Equal(started.Identity, identity);
        Assert.False((identity with { StartTicks = identity.StartTicks + 1 }).IsAlive());
        using var adopted = ContainerProcess.Adopted(identity, TimeProvider.System);
        Assert.False(adopted.HasExited);
        adopted.Signal(Posix.SigKill);
        Assert.Null(await adopted.Exited);
    }

    private static int ProcessGroupOf(int pid)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        return int.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[2], CultureInfo.InvariantCulture);
    }

    private static IEnumerable<int> ChildrenInGroup(int pgid) =>
        Directory.EnumerateDirectories("/proc").Select(Path.GetFileName).Where(n => n!.All(char.IsAsciiDigit)).Select(n => int.Parse(n!, CultureInfo.InvariantCulture))
            .Where(pid =>
            {
                try { return ProcessGroupOf(pid) == pgid; }
                catch (IOException) { return false; }
            });

    public void Dispose() => _dir.Dispose();
}
