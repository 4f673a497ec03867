using System.Text.Json;
using Portolan.IntegrationTests.Support;

namespace Portolan.IntegrationTests;

/// <summary>
/// discover-instances with the real aws CLI. The CLI sends it to <c>data-&lt;endpoint host&gt;</c> (WIRE.md §4), so it goes
/// through the documented recipe, <c>--endpoint-url http://portolan.localhost:PORT</c>, and the HTTP_PROXY recipe.
/// </summary>
public sealed class DiscoverInstancesTests(CloudMapServer server) : IClassFixture<CloudMapServer>
{
    private Sd Data => server.Data;

    /// <summary>
    /// A namespace with service <c>web</c> (custom health) holding i-1 blue/a, i-2 blue/b, i-3 green/a (healthy) and
    /// i-4 green/b (unhealthy), and service <c>plain</c> (no health check) holding p-1 and p-2. Seeded without the CLI
    /// (registration is tested elsewhere) and read-only for the tests.
    /// </summary>
    private Task<(string Name, string Id)> FixtureNamespaceAsync() => server.SharedAsync("discover", async () =>
    {
        var name = CloudMapServer.Unique("disc");
        var nsId = await server.SeedHttpNamespaceAsync(name);
        var web = await server.SeedServiceAsync(nsId, "web", customHealth: true);
        await server.SeedInstanceAsync(web, "i-1", "color=blue,az=a");
        await server.SeedInstanceAsync(web, "i-2", "color=blue,az=b");
        await server.SeedInstanceAsync(web, "i-3", "color=green,az=a");
        await server.SeedInstanceAsync(web, "i-4", "color=green,az=b,AWS_INIT_HEALTH_STATUS=UNHEALTHY");
        var plain = await server.SeedServiceAsync(nsId, "plain");
        await server.SeedInstanceAsync(plain, "p-1", "color=blue");
        await server.SeedInstanceAsync(plain, "p-2", "color=green");
        return (name, nsId);
    });

    private async Task<JsonElement> DiscoverAsync(string service, params string[] extra) =>
        await Data.OkAsync(["discover-instances", "--namespace-name", (await FixtureNamespaceAsync()).Name, "--service-name", service, .. extra]);

    private static string[] Ids(JsonElement output) => output.Column("Instances", "InstanceId").Order(StringComparer.Ordinal).ToArray();

    [Fact]
    public async Task Default_returns_healthy_instances_with_their_summary()
    {
        var (ns, _) = await FixtureNamespaceAsync();

        var output = await DiscoverAsync("web");

        Assert.Equal(["i-1", "i-2", "i-3"], Ids(output));
        var i1 = output.GetProperty("Instances").EnumerateArray().Single(i => i.Str("InstanceId") == "i-1");
        Assert.Equal(ns, i1.Str("NamespaceName"));
        Assert.Equal("web", i1.Str("ServiceName"));
        Assert.Equal("HEALTHY", i1.Str("HealthStatus"));
        Assert.Equal(new Dictionary<string, string> { ["az"] = "a", ["color"] = "blue" }, i1.Map("Attributes"));
    }

    [Theory]
    [InlineData("HEALTHY", new[] { "i-1", "i-2", "i-3" })]
    [InlineData("UNHEALTHY", new[] { "i-4" })]
    [InlineData("ALL", new[] { "i-1", "i-2", "i-3", "i-4" })]
    [InlineData("HEALTHY_OR_ELSE_ALL", new[] { "i-1", "i-2", "i-3" })]
    public async Task Health_status_filter(string healthStatus, string[] expected)
    {
        var output = await DiscoverAsync("web", "--health-status", healthStatus);

        Assert.Equal(expected, Ids(output));
        Assert.All(output.GetProperty("Instances").EnumerateArray(),
            i => Assert.Equal(i.Str("InstanceId") == "i-4" ? "UNHEALTHY" : "HEALTHY", i.Str("HealthStatus")));
    }

    [Fact]
    public async Task Query_parameters_must_all_match()
    {
        Assert.Equal(["i-1", "i-2"], Ids(await DiscoverAsync("web", "--query-parameters", "color=blue")));
        Assert.Equal(["i-1"], Ids(await DiscoverAsync("web", "--query-parameters", "color=blue,az=a")));
        Assert.Empty(Ids(await DiscoverAsync("web", "--query-parameters", "color=purple")));
    }

    [Fact]
    public async Task Optional_parameters_narrow_only_when_some_instance_matches()
    {
        Assert.Equal(["i-1", "i-3"], Ids(await DiscoverAsync("web", "--optional-parameters", "az=a")));
        Assert.Equal(["i-1", "i-2", "i-3"], Ids(await DiscoverAsync("web", "--optional-parameters", "az=nowhere")));
        Assert.Equal(["i-4"], Ids(await DiscoverAsync("web", "--health-status", "ALL", "--query-parameters", "color=green", "--optional-parameters", "az=b")));
    }

    [Fact]
    public async Task Max_results_limits_the_answer()
    {
        var output = await DiscoverAsync("web", "--health-status", "ALL", "--max-results", "2");

        var ids = Ids(output);
        Assert.Equal(2, ids.Length);
        Assert.Subset(new HashSet<string> { "i-1", "i-2", "i-3", "i-4" }, ids.ToHashSet());
        Assert.Equal(2, ids.Distinct().Count());
    }

    [Fact]
    public async Task A_service_without_health_check_ignores_the_filter_and_reports_UNKNOWN()
    {
        foreach (var filter in new[] { "UNHEALTHY", "HEALTHY" })
        {
            var output = await DiscoverAsync("plain", "--health-status", filter);
            Assert.Equal(["p-1", "p-2"], Ids(output));
            Assert.All(output.GetProperty("Instances").EnumerateArray(), i => Assert.Equal("UNKNOWN", i.Str("HealthStatus")));
        }
    }

    [Fact]
    public async Task Custom_health_changes_are_seen_at_once_and_HEALTHY_OR_ELSE_ALL_fails_open()
    {
        var (_, nsId) = await FixtureNamespaceAsync();
        var serviceId = await server.SeedServiceAsync(nsId, "flip", customHealth: true);
        await server.SeedInstanceAsync(serviceId, "a", "v=1");
        await server.SeedInstanceAsync(serviceId, "b", "v=1");

        Task<JsonElement> Discover(string health) => DiscoverAsync("flip", "--health-status", health);
        Task SetAsync(string instance, string status) => server.Sd.OkAsync(
            "update-instance-custom-health-status", "--service-id", serviceId, "--instance-id", instance, "--status", status);

        Assert.Equal(["a", "b"], Ids(await Discover("HEALTHY")));

        await SetAsync("a", "UNHEALTHY");
        Assert.Equal(["b"], Ids(await Discover("HEALTHY")));
        Assert.Equal(["a"], Ids(await Discover("UNHEALTHY")));
        Assert.Equal(["b"], Ids(await Discover("HEALTHY_OR_ELSE_ALL")));

        await SetAsync("b", "UNHEALTHY");
        Assert.Empty(Ids(await Discover("HEALTHY")));
        var failOpen = await Discover("HEALTHY_OR_ELSE_ALL");
        Assert.Equal(["a", "b"], Ids(failOpen));
        Assert.All(failOpen.GetProperty("Instances").EnumerateArray(), i => Assert.Equal("UNHEALTHY", i.Str("HealthStatus")));

        await SetAsync("a", "HEALTHY");
        Assert.Equal(["a"], Ids(await Discover("HEALTHY_OR_ELSE_ALL")));
    }

    [Fact]
    public async Task Unknown_namespace_or_service_is_reported()
    {
        var (ns, _) = await FixtureNamespaceAsync();

        await Data.FailsAsync("NamespaceNotFound", "DiscoverInstances", "discover-instances", "--namespace-name", "no-such-namespace", "--service-name", "web");
        await Data.FailsAsync("ServiceNotFound", "DiscoverInstances", "discover-instances", "--namespace-name", ns, "--service-name", "no-such-service");
    }

    [Fact]
    public async Task The_http_proxy_recipe_reaches_the_server_too()
    {
        var (ns, _) = await FixtureNamespaceAsync();

        var output = await server.Proxied.OkAsync("discover-instances", "--namespace-name", ns, "--service-name", "web", "--query-parameters", "color=green");

        Assert.Equal(["i-3"], Ids(output));
    }

    [Fact]
    public async Task Without_a_recipe_the_cli_cannot_reach_the_data_host()
    {
        // Why the recipes exist: the CLI prepends data- to the endpoint's host, and data-127.0.0.1 resolves nowhere.
        var result = await server.Sd.RunAsync("discover-instances", "--namespace-name", "any", "--service-name", "any");

        Assert.Equal(255, result.ExitCode);
        Assert.Contains($"http://data-127.0.0.1:{server.Port}/", result.StdErr, StringComparison.Ordinal);
    }
}
