using System.Globalization;
using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Portolan.Health.Probing;
using Portolan.Health.Reporting;
using Portolan.Health.Subjects;
using Portolan.Health.Tests.Support;
using Portolan.Health.Thresholds;
using Portolan.Hosting;
using Portolan.Testing;

namespace Portolan.Health.Tests.EndToEnd;

/// <summary>
/// The whole path, for real: the server in-process (SQLite registry, DNS, health engine), a Cloud Map service with
/// HealthCheckConfig created by the aws CLI, instances pointing at real HTTP targets on loopback. A target that
/// stops answering drops out of dig's answer and shows UNHEALTHY with its reason; started again, it comes back.
/// </summary>
public sealed class DnsFollowsHealthTests : IAsyncLifetime
{
    private readonly TempDirectory _dir = new("portolan-health-e2e");
    private PortolanHost _host = null!;
    private AwsCli _cli = null!;

    public async Task InitializeAsync()
    {
        _host = await PortolanHost.StartAsync(new PortolanOptions
        {
            DataDir = _dir.Path,
            ApiEndpoints = [new HostPort("127.0.0.1", 0)],
            DnsEndpoint = new HostPort("127.0.0.1", 0),
            HealthInterval = TimeSpan.FromMilliseconds(250),
        }, configureServices: null, logging => logging.ClearProviders());
        // discover-instances goes to data-<host>; through the API port as a proxy it reaches the server (README recipe).
        _cli = new AwsCli(_host.ApiUri) { Environment = new Dictionary<string, string> { ["HTTP_PROXY"] = _host.ApiUri.ToString() } };
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        _dir.Dispose();
    }

    private async Task<string> Cli(params string[] args)
    {
        var result = (await _cli.RunAsync(["servicediscovery", .. args])).EnsureSuccess();
        return result.StdOut;
    }

    [Fact]
    public async Task A_target_that_stops_answering_leaves_the_DNS_answer_and_comes_back_when_it_returns()
    {
        await using var flaky = await HttpTarget.StartAsync(IPAddress.Loopback);
        await using var steady = await HttpTarget.StartAsync(IPAddress.Parse("127.0.0.2"));

        await Cli("create-private-dns-namespace", "--name", "health.test", "--vpc", "vpc-1");
        var nsId = _host.Services.GetRequiredService<Core.Snapshots.ISnapshotSource>().Current.FindNamespaceByName("health.test")!.Id;
        using var created = System.Text.Json.JsonDocument.Parse(await Cli("create-service", "--name", "web",
            "--dns-config", $"NamespaceId={nsId},RoutingPolicy=MULTIVALUE,DnsRecords=[{{Type=A,TTL=0}}]",
            "--health-check-config", "Type=HTTP,ResourcePath=/health,FailureThreshold=1"));
        var serviceId = created.RootElement.GetProperty("Service").GetProperty("Id").GetString()!;
        await Cli("register-instance", "--service-id", serviceId, "--instance-id", "flaky",
            "--attributes", $"AWS_INSTANCE_IPV4=127.0.0.1,AWS_INSTANCE_PORT={flaky.Port.ToString(CultureInfo.InvariantCulture)}");
        await Cli("register-instance", "--service-id", serviceId, "--instance-id", "steady",
            "--attributes", $"AWS_INSTANCE_IPV4=127.0.0.2,AWS_INSTANCE_PORT={steady.Port.ToString(CultureInfo.InvariantCulture)}");

        var dns = _host.DnsUdpEndPoint!.Port;
        var view = _host.Services.GetRequiredService<HealthView>();
        var flakyKey = new SubjectKey(SubjectKind.CloudMapInstance, serviceId, "flaky");
        await Eventually(async () => view.TryGet(flakyKey, out var r) && r.Recent.Count > 0 && r.Recent[0].Passed, "the first passing probe");
        Assert.Equal(["127.0.0.1", "127.0.0.2"], await Dig.AAsync(dns, "web.health.test"));

        await flaky.StopAsync();
        await Eventually(async () => (await Dig.AAsync(dns, "web.health.test")).SequenceEqual(["127.0.0.2"]), "dig to drop the stopped target");

        Assert.True(view.TryGet(flakyKey, out var down));
        Assert.Equal(HealthState.Unhealthy, down.State);
        Assert.Equal(ProbeOutcome.Refused, down.Recent[0].Outcome);
        using (var status = System.Text.Json.JsonDocument.Parse(await Cli("get-instances-health-status", "--service-id", serviceId)))
        {
            var map = status.RootElement.GetProperty("Status");
            Assert.Equal("UNHEALTHY", map.GetProperty("flaky").GetString());
            Assert.Equal("HEALTHY", map.GetProperty("steady").GetString());
        }
        using (var discovered = System.Text.Json.JsonDocument.Parse(await Cli("discover-instances", "--namespace-name", "health.test", "--service-name", "web")))
        {
            Assert.Equal(["steady"], discovered.RootElement.GetProperty("Instances").EnumerateArray().Select(i => i.GetProperty("InstanceId").GetString()));
        }

        await flaky.RestartAsync();
        await Eventually(async () => (await Dig.AAsync(dns, "web.health.test")).Length == 2
            && view.TryGet(flakyKey, out var up) && up.State == HealthState.Healthy, "dig to return the restarted target");

        // The store saw crossings (batched), not probes.
        Assert.InRange(view.Statistics.Writes, 2, view.Statistics.Crossings);
    }

    private static async Task Eventually(Func<Task<bool>> condition, string what)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline) Assert.Fail($"Timed out waiting for: {what}");
            await Task.Delay(50);
        }
    }
}
