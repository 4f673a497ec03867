using System.Text.Json;
using Portolan.Testing;

namespace Portolan.ConsoleTests;

/// <summary><c>portolan serve --log-format json</c>: every stderr line is one JSON object with an event id; stdout keeps the start-up lines.</summary>
public sealed class LogFormatTests
{
    [Fact]
    public async Task Json_format_writes_one_object_per_line_with_event_ids()
    {
        using var dataDir = new TempDirectory("portolan-logs");
        await using var server = await PortolanProcess.StartAsync(
            ["serve", "--data-dir", dataDir.Path, "--api", "127.0.0.1:0", "--dns", "127.0.0.1:0", "--log-format", "json"]);
        Assert.Contains("ready", server.StdOut, StringComparison.Ordinal);
        Assert.Equal(0, await server.StopAsync());

        var lines = server.StdErr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.NotEmpty(lines);
        var entries = lines.Select(line => JsonDocument.Parse(line).RootElement).ToList();
        foreach (var entry in entries)
        {
            Assert.True(DateTimeOffset.TryParse(entry.GetProperty("Timestamp").GetString(), System.Globalization.CultureInfo.InvariantCulture, out _));
            Assert.Equal(JsonValueKind.Number, entry.GetProperty("EventId").ValueKind);
            Assert.False(string.IsNullOrEmpty(entry.GetProperty("LogLevel").GetString()));
            Assert.False(string.IsNullOrEmpty(entry.GetProperty("Category").GetString()));
            Assert.False(string.IsNullOrEmpty(entry.GetProperty("Message").GetString()));
        }

        // The DNS server's "listening" entry carries its id and its structured values.
        var listening = entries.Single(e => e.GetProperty("EventId").GetInt32() == 3001);
        Assert.Equal("Portolan.Dns.Server.DnsServer", listening.GetProperty("Category").GetString());
        Assert.Equal("Information", listening.GetProperty("LogLevel").GetString());
        Assert.StartsWith("127.0.0.1:", listening.GetProperty("State").GetProperty("EndPoint").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Text_is_the_default_and_other_formats_are_usage_errors()
    {
        var (exitCode, _, stderr) = await PortolanProcess.RunToExitAsync(["serve", "--log-format", "xml"]);
        Assert.Equal(2, exitCode);
        Assert.Contains("--log-format: 'xml' is not a log format: use text or json.", stderr, StringComparison.Ordinal);

        using var dataDir = new TempDirectory("portolan-logs");
        await using var server = await PortolanProcess.StartAsync(["serve", "--data-dir", dataDir.Path, "--api", "127.0.0.1:0", "--dns", "127.0.0.1:0"]);
        Assert.Equal(0, await server.StopAsync());
        Assert.Contains("info: Portolan.Dns.Server.DnsServer[3001] DNS listening on 127.0.0.1:", server.StdErr, StringComparison.Ordinal);
    }
}
