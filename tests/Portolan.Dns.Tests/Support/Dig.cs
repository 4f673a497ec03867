using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace Portolan.Dns.Tests.Support;

/// <summary>Runs Debian's <c>dig</c> against the server and parses its default output.</summary>
internal static partial class Dig
{
    public sealed record Line(string Name, uint Ttl, string Type, string Data);

    public sealed record Result(string Status, IReadOnlySet<string> Flags, IReadOnlyList<Line> Answer, IReadOnlyList<Line> Authority,
        IReadOnlyList<Line> Additional, string Text, string? Protocol, int? EdnsUdp, int? Size)
    {
        public IEnumerable<string> Data(string type) => Answer.Where(a => a.Type == type).Select(a => a.Data);
    }

    public static async Task<Result> QueryAsync(int port, string name, string type, params string[] options)
    {
        var start = new ProcessStartInfo("dig") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[] { "@127.0.0.1", "-p", port.ToString(CultureInfo.InvariantCulture), name, type, "+norec", "+time=3", "+tries=2" }.Concat(options))
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        var text = await stdout;
        Assert.True(process.ExitCode == 0, $"dig exited {process.ExitCode}: {await stderr}\n{text}");
        return Parse(text);
    }

    private static Result Parse(string text)
    {
        var status = StatusRegex().Match(text).Groups[1].Value;
        var flags = FlagsRegex().Match(text).Groups[1].Value.Split(' ', StringSplitOptions.RemoveEmptyEntries).ToHashSet();
        var protocol = ServerRegex().Match(text) is { Success: true } m ? m.Groups[1].Value : null;
        var udp = UdpRegex().Match(text) is { Success: true } u ? int.Parse(u.Groups[1].Value, CultureInfo.InvariantCulture) : (int?)null;
        var size = SizeRegex().Match(text) is { Success: true } s ? int.Parse(s.Groups[1].Value, CultureInfo.InvariantCulture) : (int?)null;
        return new Result(status, flags, Section(text, "ANSWER"), Section(text, "AUTHORITY"), Section(text, "ADDITIONAL"), text, protocol, udp, size);
    }

    private static List<Line> Section(string text, string name)
    {
        var lines = new List<Line>();
        var inSection = false;
        foreach (var raw in text.Split('\n'))
        {
            if (raw.StartsWith($";; {name} SECTION:", StringComparison.Ordinal))
            {
                inSection = true;
                continue;
            }

            if (!inSection) continue;
            if (raw.Length == 0) break;
            var parts = raw.Split((char[])['\t', ' '], 5, StringSplitOptions.RemoveEmptyEntries);
            lines.Add(new Line(parts[0], uint.Parse(parts[1], CultureInfo.InvariantCulture), parts[3], parts.Length > 4 ? parts[4] : ""));
        }

        return lines;
    }

    [GeneratedRegex(@"status: (\w+)")]
    private static partial Regex StatusRegex();

    [GeneratedRegex(@";; flags: ([a-z ]*);")]
    private static partial Regex FlagsRegex();

    [GeneratedRegex(@";; SERVER: .*\((UDP|TCP)\)")]
    private static partial Regex ServerRegex();

    [GeneratedRegex(@"; EDNS: version: \d+, flags:[a-z ]*; udp: (\d+)")]
    private static partial Regex UdpRegex();

    [GeneratedRegex(@";; MSG SIZE\s+rcvd: (\d+)")]
    private static partial Regex SizeRegex();
}
