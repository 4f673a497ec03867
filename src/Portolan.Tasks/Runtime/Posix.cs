using System.Runtime.InteropServices;

namespace Portolan.Tasks.Runtime;

/// <summary>The few POSIX calls .NET does not expose: signals to a whole process group.</summary>
internal static partial class Posix
{
    public const int SigKill = 9;
    public const int SigTerm = 15;

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);

    /// <summary>
    /// Sends <paramref name="signal"/> to every process of group <paramref name="pgid"/>. Returns false when the group is
    /// gone (ESRCH) or may not be signalled (EPERM: a member changed its user).
    /// </summary>
    public static bool SignalGroup(int pgid, int signal)
    {
        // -0 and -1 would mean "our own group" and "every process we may signal".
        if (pgid <= 1) throw new ArgumentOutOfRangeException(nameof(pgid), "Refusing to signal process group 0 or 1.");
        return Kill(-pgid, signal) == 0;
    }

    /// <summary>True while any process of group <paramref name="pgid"/> exists (signal 0 probes without sending).</summary>
    public static bool GroupExists(int pgid) => pgid > 1 && Kill(-pgid, 0) == 0;
}
