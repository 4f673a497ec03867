using System.Diagnostics;

namespace Portolan.Tasks.Runtime;

/// <summary>
/// The process that runs one container. It leads its own session and process group (started through
/// <c>setsid</c>), so stopping signals the whole group and nothing it started survives it. Either started by this
/// Portolan (a child: its exit code is known) or adopted after a restart (found by PID and start time: its exit is
/// noticed by polling, and its exit code is not known).
/// </summary>
internal sealed class ContainerProcess : IDisposable
{
    private static readonly TimeSpan AdoptedPollInterval = TimeSpan.FromMilliseconds(500);

    private readonly Process? _child;
    private readonly CancellationTokenSource _disposed = new();
    private readonly Task<int?> _exited;

    private ContainerProcess(ProcessIdentity identity, Process? child, Func<CancellationToken, Task<int?>> exited)
    {
        Identity = identity;
        _child = child;
        _exited = exited(_disposed.Token);
    }

    public ProcessIdentity Identity { get; }
    public int Pid => Identity.Pid;

    /// <summary>Completes when the process has exited, with its exit code (128 + signal when killed), or null when unknown.</summary>
    public Task<int?> Exited => _exited;

    public bool HasExited => _exited.IsCompleted;

    public static ContainerProcess Started(Process child, ProcessIdentity identity) =>
        new(identity, child, _ => WaitForChildAsync(child));

    /// <summary>
    /// Watches a process this Portolan did not start (it survived a restart) until it exits or this is disposed; exit
    /// codes are not known then.
    /// </summary>
    public static ContainerProcess Adopted(ProcessIdentity identity, TimeProvider time) =>
        new(identity, null, disposed => PollAsync(identity, time, disposed));

    /// <summary>Signals the process group; false when it is already gone.</summary>
    public bool Signal(int signal) => Posix.SignalGroup(Pid, signal);

    /// <summary>True while the leader has exited but others of its group still run.</summary>
    public bool GroupAlive => Posix.GroupExists(Pid);

    private static async Task<int?> WaitForChildAsync(Process child)
    {
        await child.WaitForExitAsync();
        return child.ExitCode;
    }

    // Polling goes on while the task stops (its SIGTERM's effect is what a stop waits for) and ends with the runner.
    private static async Task<int?> PollAsync(ProcessIdentity identity, TimeProvider time, CancellationToken disposed)
    {
        while (identity.IsAlive())
        {
            try
            {
                await Task.Delay(AdoptedPollInterval, time, disposed);
            }
            catch (OperationCanceledException)
            {
                // Nobody waits for this process any more.
                await Task.Delay(Timeout.Infinite, CancellationToken.None);
            }
        }
        return null;
    }

    public void Dispose()
    {
        if (_disposed.IsCancellationRequested) return;
        _disposed.Cancel();
        _disposed.Dispose();
        _child?.Dispose();
    }
}
