using System.Diagnostics;
using System.Globalization;

namespace Portolan.Health.Tests.Support;

/// <summary>Debian's <c>dig</c> against the server: the A records of a name, sorted.</summary>
internal static class Dig
{
    public static async Task<string[]> AAsync(int port, string name)
    {
        var start = new ProcessStartInfo("dig") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[] { "@127.0.0.1", "-p", port.ToString(CultureInfo.InvariantCulture), name, "A", "+short", "+norec", "+time=3", "+tries=2" })
        {
            start.ArgumentList.Add(arg);
        }
        using var process = Process.Start(start)!;
        var stdout = await process.StandardOutput.ReadToEndAsync();
        var stderr = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, $"dig exited {process.ExitCode}: {stderr}\n{stdout}");
        return [.. stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Order(StringComparer.Ordinal)];
    }
}
