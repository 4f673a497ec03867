using Microsoft.Playwright;
using Portolan.ConsoleTests.Support;
using static Microsoft.Playwright.Assertions;

namespace Portolan.ConsoleTests;

/// <summary>
/// Active health checks in the console: a real HTTP target behind a Cloud Map service with HealthCheckConfig stops,
/// the health engine's probes fail, and the open instance page shows the crossing, its reason and the failed probes
/// without a reload, while DNS stops answering with the target.
/// </summary>
public sealed class ActiveHealthConsoleTests(ActiveHealthConsoleTests.Server server, Browser browser)
    : IClassFixture<ActiveHealthConsoleTests.Server>, IClassFixture<Browser>
{
    public sealed class Server : ConsoleServer
    {
        protected override IEnumerable<string> ExtraArguments(string dataDir) => ["--health-interval", "1"];
    }

    [Fact]
    public async Task Instance_turns_unhealthy_live_when_its_target_stops()
    {
        await using var stays = await HttpTarget.StartAsync();
        await using var stops = await HttpTarget.StartAsync();
        var op = await server.Sd("create-private-dns-namespace", "--name", "checked.test", "--vpc", "vpc-1");
        var namespaceId = (await server.Sd("get-operation", "--operation-id", op!.Value.GetProperty("OperationId").GetString()!))!.Value
            .GetProperty("Operation").GetProperty("Targets").GetProperty("NAMESPACE").GetString()!;
        var serviceId = (await server.Sd("create-service", "--name", "api", "--namespace-id", namespaceId,
            "--dns-config", "RoutingPolicy=MULTIVALUE,DnsRecords=[{Type=SRV,TTL=5}]",
            "--health-check-config", "Type=HTTP,ResourcePath=/health,FailureThreshold=1"))!.Value.GetProperty("Service").GetProperty("Id").GetString()!;
        await server.Sd("register-instance", "--service-id", serviceId, "--instance-id", "stays", "--attributes", $"AWS_INSTANCE_IPV4=127.0.0.1,AWS_INSTANCE_PORT={stays.Port}");
        await server.Sd("register-instance", "--service-id", serviceId, "--instance-id", "stops", "--attributes", $"AWS_INSTANCE_IPV4=127.0.0.1,AWS_INSTANCE_PORT={stops.Port}");

        var page = await browser.NewPageAsync();
        await page.GotoAsync($"{server.ConsoleUrl}#/cloudmap/services/{serviceId}/instances/stops");
        var check = page.Locator("#health-check");
        await Expect(check).ToContainTextAsync($"HTTP/1.1 http://127.0.0.1:{stops.Port}/health");
        // Probes arrive while the page is open (every second here): a passed one shows up in the table.
        await Expect(check.Locator("table .badge[data-status='Success']").First).ToBeVisibleAsync();
        await page.EvaluateAsync("() => { window.notReloaded = true; }");

        await stops.StopAsync();

        await Expect(check.Locator(".facts .badge").First).ToHaveAttributeAsync("data-status", "UNHEALTHY", new() { Timeout = 30_000 });
        await Expect(page.Locator(".card .facts").First.Locator(".badge")).ToHaveAttributeAsync("data-status", "UNHEALTHY");
        await Expect(check).ToContainTextAsync("Target.FailedHealthChecks");
        await Expect(check.Locator("table .badge[data-status='Refused']").First).ToBeVisibleAsync();
        // Probes after the crossing change nothing in the registry; the page follows them anyway.
        await page.WaitForFunctionAsync("() => document.querySelectorAll(\"#health-check table .badge.bad[data-status='Refused']\").length >= 3",
            null, new() { Timeout = 30_000 });
        await Expect(page.Locator("#health-timeline li").First).ToHaveAttributeAsync("data-status", "UNHEALTHY");
        await Expect(page.Locator("#health-timeline li").First).ToContainTextAsync("Target.FailedHealthChecks");
        Assert.True(await page.EvaluateAsync<bool>("() => window.notReloaded === true"));
        await Browser.ScreenshotAsync(page, "cloudmap-active-check-target-stopped");

        // What the page says is what the API and DNS say.
        var health = (await server.Sd("get-instances-health-status", "--service-id", serviceId))!.Value.GetProperty("Status");
        Assert.Equal("UNHEALTHY", health.GetProperty("stops").GetString());
        Assert.Equal("HEALTHY", health.GetProperty("stays").GetString());
        var srv = (await Dig.QueryAsync(server.DnsPort, "api.checked.test", "SRV")).Answers.Where(a => a.StartsWith("1 ", StringComparison.Ordinal));
        Assert.Equal([$"1 1 {stays.Port} stays.api.checked.test."], srv);
        Assert.Empty(browser.PageErrors[page]);

        // Scraped: the probes by outcome and the crossing.
        var metrics = PrometheusText.Parse(await server.Http.GetStringAsync("/metrics"));
        Assert.True(metrics.Value("portolan_health_probe_duration_seconds_count", ("outcome", "success"), ("kind", "instance")) >= 2);
        Assert.True(metrics.Value("portolan_health_probe_duration_seconds_count", ("outcome", "refused"), ("kind", "instance")) >= 1);
        Assert.Equal(1, metrics.Value("portolan_health_crossings_total", ("kind", "instance"), ("state", "unhealthy")));
        Assert.Equal(2, metrics.Value("portolan_health_subjects"));
    }
}
