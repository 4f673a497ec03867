using Portolan.Cli;

namespace Portolan.Api.Tests;

public sealed class CommandLineTests
{
    [Fact]
    public void Serve_without_flags_has_the_documented_defaults()
    {
        var serve = Assert.IsType<CliCommand.Serve>(CommandLine.Parse(["serve"]));
        var options = serve.Options;

        Assert.Equal(".portolan", options.DataDir);
        Assert.Equal([new HostPort("127.0.0.1", 7766)], options.ApiEndpoints);
        Assert.Equal(new HostPort("127.0.0.1", 7753), options.DnsEndpoint);
        Assert.Equal($"sqlite:{Path.Combine(".portolan", "portolan.db")}", options.StoreUri);
        Assert.Equal("us-east-1", options.Region);
        Assert.Equal("000000000000", options.Account);
        Assert.Null(options.AuthFile);
        Assert.False(options.StrictAws);
    }

    [Fact]
    public void Strict_aws_is_a_flag_without_a_value()
    {
        var serve = Assert.IsType<CliCommand.Serve>(CommandLine.Parse(["serve", "--strict-aws", "--region", "eu-west-1"]));
        Assert.True(serve.Options.StrictAws);
        Assert.Equal("eu-west-1", serve.Options.Region);
    }

    [Fact]
    public void Health_interval_takes_seconds_and_defaults_to_AWS_30()
    {
        Assert.Equal(TimeSpan.FromSeconds(30), Assert.IsType<CliCommand.Serve>(CommandLine.Parse(["serve"])).Options.HealthInterval);
        Assert.Equal(TimeSpan.FromSeconds(5), Assert.IsType<CliCommand.Serve>(CommandLine.Parse(["serve", "--health-interval", "5"])).Options.HealthInterval);
        Assert.Equal(TimeSpan.FromSeconds(2.5), Assert.IsType<CliCommand.Serve>(CommandLine.Parse(["serve", "--health-interval=2.5s"])).Options.HealthInterval);
    }

    [Fact]
    public void Task_address_is_where_this_nodes_tasks_register_and_defaults_to_loopback()
    {
        Assert.Null(Assert.IsType<CliCommand.Serve>(CommandLine.Parse(["serve"])).Options.TaskAddress);
        Assert.Equal("10.0.0.7", Assert.IsType<CliCommand.Serve>(CommandLine.Parse(["serve", "--task-address", "10.0.0.7"])).Options.TaskAddress);
    }

    [Fact]
    public void Every_flag_is_read_in_both_spellings()
    {
        var serve = Assert.IsType<CliCommand.Serve>(CommandLine.Parse([
            "serve", "--data-dir", "/var/lib/portolan", "--api=0.0.0.0:0", "--api", "[::1]:9000", "--dns", "127.0.0.1:53",
            "--store=etcd://10.0.0.1:2379,10.0.0.2:2379", "--region", "eu-west-3", "--account=123456789012", "--auth", "/etc/portolan/keys",
        ]));
        var options = serve.Options;

        Assert.Equal("/var/lib/portolan", options.DataDir);
        Assert.Equal([new HostPort("0.0.0.0", 0), new HostPort("::1", 9000)], options.ApiEndpoints);
        Assert.Equal(new HostPort("127.0.0.1", 53), options.DnsEndpoint);
        Assert.Equal("etcd://10.0.0.1:2379,10.0.0.2:2379", options.StoreUri);
        Assert.Equal("eu-west-3", options.Region);
        Assert.Equal("123456789012", options.Account);
        Assert.Equal("/etc/portolan/keys", options.AuthFile);
    }

    [Fact]
    public void Store_defaults_into_the_data_dir()
    {
        var serve = Assert.IsType<CliCommand.Serve>(CommandLine.Parse(["serve", "--data-dir", "/tmp/p"]));

        Assert.Equal("sqlite:/tmp/p/portolan.db", serve.Options.StoreUri);
    }

    [Theory]
    [InlineData("--help")]
    [InlineData("-h")]
    [InlineData("help")]
    public void Help(string flag) => Assert.IsType<CliCommand.Help>(CommandLine.Parse([flag]));

    [Fact]
    public void Help_after_serve() => Assert.IsType<CliCommand.Help>(CommandLine.Parse(["serve", "--help"]));

    [Fact]
    public void Version() => Assert.IsType<CliCommand.Version>(CommandLine.Parse(["--version"]));

    [Theory]
    [InlineData(new string[0], "missing command")]
    [InlineData(new[] { "start" }, "unknown command 'start'")]
    [InlineData(new[] { "--verbose" }, "unknown option '--verbose'")]
    [InlineData(new[] { "serve", "--port", "1" }, "unknown option '--port'")]
    [InlineData(new[] { "serve", "extra" }, "unexpected argument 'extra'")]
    [InlineData(new[] { "serve", "--api" }, "option '--api' needs a value")]
    [InlineData(new[] { "serve", "--api", "--region", "x" }, "option '--api' needs a value")]
    [InlineData(new[] { "serve", "--api=" }, "option '--api' needs a value")]
    [InlineData(new[] { "serve", "--api", "7766" }, "--api: '7766' is not HOST:PORT")]
    [InlineData(new[] { "serve", "--api", "127.0.0.1:99999" }, "not a port number")]
    [InlineData(new[] { "serve", "--api", "example.com:80" }, "must be an IPv4 address")]
    [InlineData(new[] { "serve", "--dns", "::1:53" }, "--dns:")]
    [InlineData(new[] { "serve", "--store", "postgres://x" }, "not a store URI")]
    [InlineData(new[] { "serve", "--account", "12345" }, "not a 12-digit AWS account id")]
    [InlineData(new[] { "serve", "--region", "US_EAST" }, "not a region name")]
    [InlineData(new[] { "serve", "--health-interval", "0" }, "not a number of seconds between 1 and 300")]
    [InlineData(new[] { "serve", "--health-interval", "soon" }, "--health-interval:")]
    [InlineData(new[] { "serve", "--task-address", "0.0.0.0" }, "not an IPv4 address other hosts can reach")]
    [InlineData(new[] { "serve", "--task-address", "::1" }, "not an IPv4 address")]
    public void Bad_command_lines_say_what_is_wrong(string[] args, string expected)
    {
        var invalid = Assert.IsType<CliCommand.Invalid>(CommandLine.Parse(args));

        Assert.Contains(expected, invalid.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("127.0.0.1:7766", "127.0.0.1", 7766, "127.0.0.1:7766")]
    [InlineData("localhost:0", "localhost", 0, "localhost:0")]
    [InlineData("LocalHost:80", "localhost", 80, "localhost:80")]
    [InlineData("[::1]:7766", "::1", 7766, "[::1]:7766")]
    [InlineData("[::]:53", "::", 53, "[::]:53")]
    public void Host_port_forms(string text, string host, int port, string display)
    {
        Assert.True(HostPort.TryParse(text, out var value, out var error), error);

        Assert.Equal(new HostPort(host, port), value);
        Assert.Equal(display, value.ToString());
    }
}
