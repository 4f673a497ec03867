using System.Globalization;
using System.Xml.Linq;
using Portolan.IntegrationTests.Support;
using Portolan.Testing;

namespace Portolan.IntegrationTests.Ecs.Support;

/// <summary>
/// The real <c>portolan serve</c> as a child process (API and DNS on ephemeral loopback ports, SQLite in a temp dir) for
/// the tests that run the seed scenario end to end, with the server's own default timers. <see cref="Cli"/> is Debian's
/// aws CLI aimed at it; <see cref="Api"/> and <see cref="ElbAsync"/> send what a test only waits on or sets up without
/// paying for a CLI run. Stopping it is a clean SIGTERM, which must stop its task processes too.
/// </summary>
public sealed class EcsProcessServer : IAsyncLifetime
{
    private static readonly XNamespace ElbNs = "http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/";

    private PortolanProcess? _process;

    public TempDirectory Home { get; } = new("portolan-seed");

    public string DataDir => Path.Combine(Home.Path, ".portolan");

    public PortolanProcess Process => _process ?? throw new InvalidOperationException("The server is not started.");

    public AwsCli Cli { get; private set; } = null!;

    public AwsJson Api { get; private set; } = null!;

    /// <summary>The UDP (and TCP) DNS port from the <c>dns: udp://…</c> start-up line.</summary>
    public int DnsPort { get; private set; }

    public async Task InitializeAsync()
    {
        _process = await PortolanProcess.StartAsync(["serve", "--api", "127.0.0.1:0", "--dns", "127.0.0.1:0", "--data-dir", DataDir]);
        Cli = new AwsCli(_process.ApiUri);
        Api = new AwsJson(_process.ApiUri);
        var dns = _process.StdOut.Split('\n').Select(l => l.Trim()).First(l => l.StartsWith("dns: udp://", StringComparison.Ordinal));
        DnsPort = int.Parse(dns[(dns.LastIndexOf(':') + 1)..], CultureInfo.InvariantCulture);
    }

    public async Task DisposeAsync()
    {
        if (_process is not null)
        {
            // A clean stop: Portolan takes its tasks out and stops their processes before it exits.
            await _process.StopAsync();
            await _process.DisposeAsync();
        }
        Api?.Dispose();
        Home.Dispose();
    }

    /// <summary>One unsigned ELBv2 Query request, as an SDK sends it; returns the <c>&lt;ActionResult&gt;</c> element.</summary>
    public async Task<XElement> ElbAsync(string action, params (string Key, string Value)[] parameters)
    {
        var form = new List<KeyValuePair<string, string>> { new("Action", action), new("Version", "2015-12-01") };
        form.AddRange(parameters.Select(p => KeyValuePair.Create(p.Key, p.Value)));
        using var response = await Api.Http.PostAsync(Process.ApiUri, new FormUrlEncodedContent(form));
        var body = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"{action}: {(int)response.StatusCode} {body}");
        return XDocument.Parse(body).Root!.Element(ElbNs + action + "Result")!;
    }

    /// <summary>The targets of a target group that are <c>healthy</c>, as <c>id:port</c>, sorted.</summary>
    public async Task<List<string>> HealthyTargetsAsync(string targetGroupArn) =>
        (await ElbAsync("DescribeTargetHealth", ("TargetGroupArn", targetGroupArn)))
            .Descendants(ElbNs + "member").Where(m => m.Element(ElbNs + "TargetHealth")?.Element(ElbNs + "State")?.Value == "healthy")
            .Select(m => $"{m.Element(ElbNs + "Target")!.Element(ElbNs + "Id")!.Value}:{m.Element(ElbNs + "Target")!.Element(ElbNs + "Port")!.Value}")
            .Order(StringComparer.Ordinal).ToList();

    /// <summary>The text of the first element called <paramref name="name"/> in an ELB result.</summary>
    public static string Value(XElement result, string name) => result.Descendants(ElbNs + name).First().Value;

    /// <summary>Host ports of the service's RUNNING tasks, per task id: container port → host port.</summary>
    public async Task<Dictionary<string, Dictionary<int, int>>> TaskPortsAsync(string cluster, string service)
    {
        var arns = (await Api.EcsAsync("ListTasks", new { cluster, serviceName = service, desiredStatus = "RUNNING" })).GetProperty("taskArns").EnumerateArray().Select(a => a.GetString()!).ToList();
        if (arns.Count == 0) return [];
        var tasks = (await Api.EcsAsync("DescribeTasks", new { cluster, tasks = arns })).GetProperty("tasks").EnumerateArray();
        return tasks.Where(t => t.Str("lastStatus") == "RUNNING").ToDictionary(
            t => t.Str("taskArn")[(t.Str("taskArn").LastIndexOf('/') + 1)..],
            t => t.GetProperty("containers")[0].GetProperty("networkBindings").EnumerateArray()
                .ToDictionary(b => b.GetProperty("containerPort").GetInt32(), b => b.GetProperty("hostPort").GetInt32()));
    }
}
