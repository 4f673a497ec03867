using System.Net;
using System.Net.Sockets;
using Portolan.Testing;

namespace Portolan.Api.Tests;

/// <summary><c>portolan serve</c> as a real child process: the stdout contract, signals and exit codes.</summary>
public sealed class ServeProcessTests
{
    [Fact]
    public async Task Serve_prints_its_bound_endpoints_serves_and_stops_on_sigterm()
    {
        using var dataDir = new TempDirectory();
        await using var server = await PortolanProcess.StartAsync(["serve", "--api", "127.0.0.1:0", "--data-dir", dataDir.Path]);

        Assert.Equal("127.0.0.1", server.ApiEndpoints[0].Host);
        Assert.NotEqual(0, server.ApiUri.Port);
        if (Socket.OSSupportsIPv6)
        {
            Assert.Equal(2, server.ApiEndpoints.Count);
            Assert.Equal("[::1]", server.ApiEndpoints[1].Host);
            Assert.Equal(server.ApiEndpoints[0].Port, server.ApiEndpoints[1].Port);
        }
        Assert.Contains($"data-dir: {dataDir.Path}\n", server.StdOut, StringComparison.Ordinal);
        Assert.Contains($"store: sqlite:{dataDir.Path}/portolan.db\n", server.StdOut, StringComparison.Ordinal);
        Assert.Contains("auth: off\n", server.StdOut, StringComparison.Ordinal);

        using var client = new HttpClient();
        foreach (var endpoint in server.ApiEndpoints)
        {
            using var response = await client.GetAsync(endpoint);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        Assert.Equal(0, await server.StopAsync());
        Assert.DoesNotContain("fail:", server.StdErr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Version_and_help_exit_zero()
    {
        var version = await PortolanProcess.RunToExitAsync(["--version"]);
        var help = await PortolanProcess.RunToExitAsync(["--help"]);

        Assert.Equal(0, version.ExitCode);
        Assert.StartsWith("portolan 0.1.0", version.StdOut, StringComparison.Ordinal);
        Assert.Equal(0, help.ExitCode);
        Assert.Contains("portolan serve [options]", help.StdOut, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Bad_flag_exits_2_with_the_reason_on_stderr()
    {
        var result = await PortolanProcess.RunToExitAsync(["serve", "--no-such-flag"]);

        Assert.Equal(2, result.ExitCode);
        Assert.Empty(result.StdOut);
        Assert.Contains("unknown option '--no-such-flag'", result.StdErr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Malformed_auth_file_exits_2_naming_the_line()
    {
        using var dir = new TempDirectory();
        var keys = Path.Combine(dir.Path, "keys");
        await File.WriteAllTextAsync(keys, "# keys\njust-a-key-id\n");

        var result = await PortolanProcess.RunToExitAsync(["serve", "--api", "127.0.0.1:0", "--data-dir", dir.Path, "--auth", keys]);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains($"{keys}:2:", result.StdErr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Port_in_use_exits_1_saying_so()
    {
        using var dir = new TempDirectory();
        using var holder = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        holder.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        holder.Listen();
        var port = ((IPEndPoint)holder.LocalEndPoint!).Port;

        var result = await PortolanProcess.RunToExitAsync(["serve", "--api", $"127.0.0.1:{port}", "--data-dir", dir.Path]);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains($"cannot listen on 127.0.0.1:{port}: address already in use", result.StdErr, StringComparison.Ordinal);
    }
}
