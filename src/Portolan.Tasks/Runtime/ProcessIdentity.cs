using System.Globalization;

namespace Portolan.Tasks.Runtime;

/// <summary>
/// Who a process is, beyond its PID (which the kernel reuses): its start time in clock ticks since boot
/// (<c>/proc/PID/stat</c> field 22) and the boot it started in. A recorded PID names the same process only if both
/// match, which is what adopting a task's process after a restart checks.
/// </summary>
internal readonly record struct ProcessIdentity(int Pid, long StartTicks, string BootId)
{
    private static readonly Lazy<string> CurrentBootId = new(() => File.ReadAllText("/proc/sys/kernel/random/boot_id").Trim());

    public static string BootIdNow => CurrentBootId.Value;

    /// <summary>The identity of a live process, or null when there is no such process.</summary>
    public static ProcessIdentity? Of(int pid)
    {
        var ticks = StartTicksOf(pid);
        return ticks is null ? null : new ProcessIdentity(pid, ticks.Value, BootIdNow);
    }

    /// <summary>True while this very process exists and has not exited (a zombie counts as exited).</summary>
    public bool IsAlive()
    {
        if (BootId != BootIdNow) return false;
        var stat = ReadStat(Pid);
        return stat is not null && stat.Value.StartTicks == StartTicks && stat.Value.State != 'Z' && stat.Value.State != 'X';
    }

    private static long? StartTicksOf(int pid) => ReadStat(pid)?.StartTicks;

    private static (char State, long StartTicks)? ReadStat(int pid)
    {
        string text;
        try
        {
            text = File.ReadAllText($"/proc/{pid}/stat");
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
        // "pid (comm) state ppid …": comm may hold spaces and parentheses, so fields are counted after the last ')'.
        var close = text.LastIndexOf(')');
        if (close < 0) return null;
        var fields = text[(close + 2)..].Split(' ');
        // fields[0] is field 3 (state); field 22 (starttime) is fields[19].
        if (fields.Length < 20 || !long.TryParse(fields[19], NumberStyles.None, CultureInfo.InvariantCulture, out var ticks)) return null;
        return (fields[0][0], ticks);
    }
}
