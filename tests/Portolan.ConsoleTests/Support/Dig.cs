using System.Diagnostics;
using System.Text.RegularExpressions;

namespace Portolan.ConsoleTests.Support;

/// <summary>Runs Debian's dig (dnsutils) against a loopback port: one try, no retries, so one call is one query.</summary>
public static partial class Dig
{
    /// <returns>The reply's rcode word (NOERROR, NXDOMAIN, …) and the answer section's data lines (+short style).</returns>
    public static async Task<(string Status, string[] Answers)> QueryAsync(int port, string name, string type, bool tcp = false)
    {
        var start = new ProcessStartInfo("dig") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in (string[])["@127.0.0.1", "-p", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "+tries=1", "+time=5", "+noall", "+comments", "+answer", name, type])
        {
            start.ArgumentList.Add(arg);
        }

        if (tcp) start.ArgumentList.Add("+tcp");
        using var process = Process.Start(start) ?? throw new InvalidOperationException("dig did not start (apt-get install dnsutils).");
        var output = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        var status = StatusPattern().Match(output);
        if (!status.Success) throw new InvalidOperationException($"dig gave no status:\n{output}{await process.StandardError.ReadToEndAsync()}");
        var answers = output.Split('\n')
            .Where(l => l.Length > 0 && !l.StartsWith(';'))
            .Select(l => l.Split('\t', StringSplitOptions.RemoveEmptyEntries)[^1])
            .ToArray();
        return (status.Groups[1].Value, answers);
    }

    [GeneratedRegex(@"status: ([A-Z]+)")]
    private static partial Regex StatusPattern();
}
