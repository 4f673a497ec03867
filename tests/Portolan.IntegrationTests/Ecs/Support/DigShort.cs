using System.Diagnostics;
using System.Globalization;

namespace Portolan.IntegrationTests.Ecs.Support;

/// <summary>Debian's <c>dig +short</c> against Portolan's DNS port: the answer's records, one per line.</summary>
public static class DigShort
{
    public static async Task<List<string>> QueryAsync(int port, string name, string type)
    {
        var start = new ProcessStartInfo("dig") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[] { "@127.0.0.1", "-p", port.ToString(CultureInfo.InvariantCulture), name, type, "+short", "+time=3", "+tries=2" }) start.ArgumentList.Add(arg);
        using var process = Process.Start(start)!;
        var stdout = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, $"dig exited {process.ExitCode}: {await process.StandardError.ReadToEndAsync()}");
        return stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Order(StringComparer.Ordinal).ToList();
    }
}
