using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using System.Xml.Linq;
using Portolan.IntegrationTests.Support;
using Portolan.Testing;

namespace Portolan.IntegrationTests.Elb;

/// <summary>
/// <c>portolan serve</c> as a real child process (API and DNS on ephemeral loopback ports, SQLite in a temp dir), shared by
/// the tests of a class (<c>IClassFixture&lt;ElbServer&gt;</c>); tests stay independent by using unique names and free
/// ports. <see cref="Elb"/> is the real CLI aimed at it; <see cref="SeedAsync"/> sets up what a test is not about
/// without the CLI's per-run cost.
/// </summary>
public class ElbServer : IAsyncLifetime
{
    private readonly TempDirectory _dataDir = new("portolan-elb");
    private readonly HttpClient _http = new();
    private PortolanProcess? _process;

    public const string Namespace = "http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/";
    private static readonly XNamespace Ns = Namespace;

    public PortolanProcess Process => _process ?? throw new InvalidOperationException("The server is not started.");

    public Elb Elb { get; private set; } = null!;

    /// <summary>Extra <c>portolan serve</c> arguments (e.g. <c>--strict-aws</c>).</summary>
    protected virtual IEnumerable<string> ExtraArguments => [];

    public async Task InitializeAsync()
    {
        _process = await PortolanProcess.StartAsync(
            ["serve", "--api", "127.0.0.1:0", "--dns", "127.0.0.1:0", "--data-dir", _dataDir.Path, .. ExtraArguments]);
        Elb = new Elb(new AwsCli(_process.ApiUri));
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        if (_process is not null) await _process.DisposeAsync();
        _dataDir.Dispose();
    }

    /// <summary>A name no other test uses: <paramref name="prefix"/>, a dash and 8 random hex digits (at most 32 characters in all).</summary>
    public static string Unique(string prefix) => $"{prefix}-{Guid.NewGuid().ToString("N")[..8]}";


    /// <summary>
    /// One unsigned Query request (the server runs without <c>--auth</c>), as an SDK would send it; returns the
    /// <c>&lt;OpResult&gt;</c> element. For set-up only: what a test asserts goes through the CLI.
    /// </summary>
    public async Task<XElement> SeedAsync(string action, params (string Key, string Value)[] parameters)
    {
        var form = new List<KeyValuePair<string, string>> { new("Action", action), new("Version", "2015-12-01") };
        form.AddRange(parameters.Select(p => KeyValuePair.Create(p.Key, p.Value)));
        using var response = await _http.PostAsync(Process.ApiUri, new FormUrlEncodedContent(form));
        var body = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"{action}: {(int)response.StatusCode} {body}");
        return XDocument.Parse(body).Root!.Element(Ns + action + "Result")!;
    }

    /// <summary>Seeds a load balancer; returns its ARN.</summary>
    public async Task<string> SeedLoadBalancerAsync(string name) =>
        Value(await SeedAsync("CreateLoadBalancer", ("Name", name), ("Subnets.member.1", "subnet-1"), ("Subnets.member.2", "subnet-2")), "LoadBalancerArn");

    /// <summary>Seeds an HTTP target group of ip targets; returns its ARN.</summary>
    public async Task<string> SeedTargetGroupAsync(string name, int port = 8080, string protocol = "HTTP", string version = "HTTP1")
    {
        var parameters = new List<(string, string)>
        {
            ("Name", name), ("Protocol", protocol), ("Port", port.ToString(System.Globalization.CultureInfo.InvariantCulture)), ("VpcId", "vpc-1"), ("TargetType", "ip"),
        };
        if (protocol is "HTTP" or "HTTPS") parameters.Add(("ProtocolVersion", version));
        return Value(await SeedAsync("CreateTargetGroup", [.. parameters]), "TargetGroupArn");
    }

    /// <summary>Seeds an HTTP listener on a free port forwarding to <paramref name="targetGroupArn"/>; returns its ARN.</summary>
    public async Task<string> SeedListenerAsync(string loadBalancerArn, string targetGroupArn, int? port = null) =>
        Value(await SeedAsync("CreateListener", ("LoadBalancerArn", loadBalancerArn), ("Protocol", "HTTP"),
            ("Port", (port ?? FreePorts.Next()).ToString(System.Globalization.CultureInfo.InvariantCulture)),
            ("DefaultActions.member.1.Type", "forward"), ("DefaultActions.member.1.TargetGroupArn", targetGroupArn)), "ListenerArn");

    /// <summary>Seeds a load balancer, a target group and a listener joining them.</summary>
    public async Task<(string Lb, string Tg, string Listener)> SeedStackAsync(string prefix)
    {
        var lb = await SeedLoadBalancerAsync(Unique(prefix));
        var tg = await SeedTargetGroupAsync(Unique(prefix));
        return (lb, tg, await SeedListenerAsync(lb, tg));
    }

    private static string Value(XElement result, string name) =>
        result.Descendants(Ns + name).First().Value;
}

/// <summary><c>portolan serve --strict-aws</c>: AWS's quotas and requirements.</summary>
public sealed class StrictElbServer : ElbServer
{
    protected override IEnumerable<string> ExtraArguments => ["--strict-aws"];
}

/// <summary>
/// <c>aws elbv2 …</c> through one <see cref="AwsCli"/>: run a command, require success and get its JSON output, or
/// require a given service error (exit 254 and ELB's code on stderr).
/// </summary>
public sealed class Elb(AwsCli cli)
{
    public AwsCli Cli { get; } = cli;

    public Task<AwsCliResult> RunAsync(params string[] args) => Cli.RunAsync(["elbv2", .. args], CancellationToken.None);

    public async Task<JsonElement> OkAsync(params string[] args)
    {
        var result = await RunAsync(args);
        Assert.True(result.ExitCode == 0, $"aws elbv2 {string.Join(' ', args)}\n{result}");
        return Json.Parse(result.StdOut);
    }

    public async Task<AwsCliResult> FailsAsync(string code, string operation, params string[] args)
    {
        var result = await RunAsync(args);
        AwsError.Assert(result, code, operation);
        return result;
    }
}
