using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Portolan.ConsoleTests.Support;
using static Microsoft.Playwright.Assertions;

namespace Portolan.ConsoleTests;

/// <summary>
/// The console in Debian's Chromium against a real <c>portolan serve</c>: what a user does in the UI lands in the
/// registry (checked with the aws CLI and dig), and what changes elsewhere shows up in the open page without a reload.
/// </summary>
public sealed partial class CloudMapConsoleTests(CloudMapConsoleTests.Server server, Browser browser)
    : IClassFixture<CloudMapConsoleTests.Server>, IClassFixture<Browser>
{
    public sealed class Server : ConsoleServer;

    [Fact]
    public async Task Create_namespace_service_and_instance_in_the_ui()
    {
        var page = await browser.NewPageAsync();
        await page.GotoAsync(server.ConsoleUrl);

        var createNamespace = page.Locator("#create-namespace");
        await createNamespace.Locator("input[name=name]").FillAsync("ui.test");
        await createNamespace.Locator("select[name=type]").SelectOptionAsync("DNS_PRIVATE");
        await createNamespace.Locator("input[name=description]").FillAsync("made in the console");
        await createNamespace.Locator("button[type=submit]").ClickAsync();
        await page.WaitForURLAsync(NamespaceUrl());
        var namespaceId = page.Url[(page.Url.LastIndexOf('/') + 1)..];
        await Expect(page.Locator("h1")).ToHaveTextAsync("ui.test");

        var createService = page.Locator("#create-service");
        await createService.Locator("input[name=name]").FillAsync("web");
        await createService.Locator("input[name=recordSRV]").CheckAsync();
        await createService.Locator("input[name=ttl]").FillAsync("30");
        await createService.Locator("select[name=health]").SelectOptionAsync("custom");
        await createService.Locator("button[type=submit]").ClickAsync();
        await page.WaitForURLAsync(ServiceUrl());
        var serviceId = page.Url[(page.Url.LastIndexOf('/') + 1)..];

        var register = page.Locator("#register-instance");
        await register.Locator("input[name=instanceId]").FillAsync("web-1");
        await register.Locator("input[name=AWS_INSTANCE_IPV4]").FillAsync("127.0.0.41");
        await register.Locator("input[name=AWS_INSTANCE_PORT]").FillAsync("8080");
        await register.Locator("textarea[name=attributes]").FillAsync("stage=blue\nversion=1.4");
        await register.Locator("button[type=submit]").ClickAsync();
        // The page shows the new row when the registry's event stream says the revision moved.
        await Expect(page.Locator("#instances tr[data-id='web-1']")).ToContainTextAsync("127.0.0.41:8080");
        await Expect(page.Locator("#dns-records")).ToContainTextAsync("1 1 8080 web-1.web.ui.test.");
        await Browser.ScreenshotAsync(page, "cloudmap-service-created-in-ui");

        // The registry has exactly what the forms said.
        var ns = (await server.Sd("get-namespace", "--id", namespaceId))!.Value.GetProperty("Namespace");
        Assert.Equal("DNS_PRIVATE", ns.GetProperty("Type").GetString());
        Assert.Equal("made in the console", ns.GetProperty("Description").GetString());
        var service = (await server.Sd("get-service", "--id", serviceId))!.Value.GetProperty("Service");
        Assert.Equal("web", service.GetProperty("Name").GetString());
        Assert.Equal(namespaceId, service.GetProperty("NamespaceId").GetString());
        Assert.Equal(["A 30", "SRV 30"], service.GetProperty("DnsConfig").GetProperty("DnsRecords").EnumerateArray()
            .Select(r => $"{r.GetProperty("Type").GetString()} {r.GetProperty("TTL").GetInt32()}"));
        Assert.Equal(1, service.GetProperty("HealthCheckCustomConfig").GetProperty("FailureThreshold").GetInt32());
        var instance = (await server.Sd("get-instance", "--service-id", serviceId, "--instance-id", "web-1"))!.Value.GetProperty("Instance");
        Assert.Equal("blue", instance.GetProperty("Attributes").GetProperty("stage").GetString());
        Assert.Equal("1.4", instance.GetProperty("Attributes").GetProperty("version").GetString());
        Assert.Equal(["127.0.0.41"], (await Dig.QueryAsync(server.DnsPort, "web.ui.test", "A")).Answers);
        Assert.Empty(browser.PageErrors[page]);
    }

    [Fact]
    public async Task Instance_turns_unhealthy_live_and_leaves_the_dns_answers()
    {
        var namespaceId = await CreateNamespaceAsync("live.test");
        var serviceId = (await server.Sd("create-service", "--name", "web", "--namespace-id", namespaceId,
            "--dns-config", "RoutingPolicy=MULTIVALUE,DnsRecords=[{Type=A,TTL=5}]", "--health-check-custom-config", "FailureThreshold=1"))!.Value
            .GetProperty("Service").GetProperty("Id").GetString()!;
        await server.Sd("register-instance", "--service-id", serviceId, "--instance-id", "i-1", "--attributes", "AWS_INSTANCE_IPV4=127.0.0.51");
        await server.Sd("register-instance", "--service-id", serviceId, "--instance-id", "i-2", "--attributes", "AWS_INSTANCE_IPV4=127.0.0.52");

        var page = await browser.NewPageAsync();
        await page.GotoAsync($"{server.ConsoleUrl}#/cloudmap/services/{serviceId}");
        var badge = page.Locator("#instances tr[data-id='i-2'] .badge");
        await Expect(badge).ToHaveAttributeAsync("data-status", "HEALTHY");
        await Expect(page.Locator("#live")).ToHaveAttributeAsync("data-state", "live");
        await page.EvaluateAsync("() => { window.notReloaded = true; }");

        // Elsewhere (the aws CLI), i-2 goes bad: the open page follows without a reload.
        await server.Sd("update-instance-custom-health-status", "--service-id", serviceId, "--instance-id", "i-2", "--status", "UNHEALTHY");
        await Expect(badge).ToHaveAttributeAsync("data-status", "UNHEALTHY");
        await Expect(page.Locator("#dns-records tr", new() { HasText = "127.0.0.52" })).ToContainTextAsync("no (unhealthy)");
        Assert.True(await page.EvaluateAsync<bool>("() => window.notReloaded === true"));
        await Browser.ScreenshotAsync(page, "cloudmap-instance-unhealthy-live");
        Assert.Equal(["127.0.0.51"], (await Dig.QueryAsync(server.DnsPort, "web.live.test", "A")).Answers);

        // And back, from the console's own button.
        await page.Locator("#instances tr[data-id='i-2'] button[data-action='healthy']").ClickAsync();
        await Expect(badge).ToHaveAttributeAsync("data-status", "HEALTHY");
        var health = (await server.Sd("get-instances-health-status", "--service-id", serviceId))!.Value.GetProperty("Status");
        Assert.Equal("HEALTHY", health.GetProperty("i-2").GetString());
        Assert.Equal(["127.0.0.51", "127.0.0.52"], (await Dig.QueryAsync(server.DnsPort, "web.live.test", "A")).Answers.Order());

        // The instance's page tells the story, newest first, and keeps following it.
        await page.Locator("#instances tr[data-id='i-2'] a").ClickAsync();
        var entries = page.Locator("#health-timeline li");
        await Expect(entries).ToHaveCountAsync(3);
        Assert.Equal(["health HEALTHY", "health UNHEALTHY", "registered HEALTHY"], await KindsAndStatusesAsync(entries));
        await server.Sd("deregister-instance", "--service-id", serviceId, "--instance-id", "i-2");
        await Expect(entries).ToHaveCountAsync(4);
        Assert.Equal("deregistered ", (await KindsAndStatusesAsync(entries))[0]);
        await Browser.ScreenshotAsync(page, "cloudmap-instance-health-timeline");
        Assert.Empty(browser.PageErrors[page]);
    }

    private static async Task<string[]> KindsAndStatusesAsync(ILocator entries) =>
        [.. (await entries.EvaluateAllAsync<string[]>("items => items.map(li => li.dataset.kind + ' ' + li.dataset.status)"))];

    [Fact]
    public async Task Aws_errors_show_their_code_and_change_nothing()
    {
        var page = await browser.NewPageAsync();
        await page.GotoAsync(server.ConsoleUrl);
        var createNamespace = page.Locator("#create-namespace");
        await createNamespace.Locator("input[name=name]").FillAsync("not a valid name!");
        await createNamespace.Locator("select[name=type]").SelectOptionAsync("HTTP");
        await createNamespace.Locator("button[type=submit]").ClickAsync();

        await Expect(createNamespace.Locator(".status .error")).ToContainTextAsync("InvalidInput");
        var namespaces = (await server.Sd("list-namespaces"))!.Value.GetProperty("Namespaces").EnumerateArray();
        Assert.DoesNotContain(namespaces, n => n.GetProperty("Name").GetString() == "not a valid name!");

        await page.GotoAsync($"{server.ConsoleUrl}#/cloudmap/services/srv-doesnotexist0000");
        await Expect(page.Locator(".page-error")).ToContainTextAsync("ServiceNotFound");
        Assert.Empty(browser.PageErrors[page]);
    }

    private async Task<string> CreateNamespaceAsync(string name)
    {
        var op = await server.Sd("create-private-dns-namespace", "--name", name, "--vpc", "vpc-1");
        return (await server.Sd("get-operation", "--operation-id", op!.Value.GetProperty("OperationId").GetString()!))!.Value
            .GetProperty("Operation").GetProperty("Targets").GetProperty("NAMESPACE").GetString()!;
    }

    [GeneratedRegex("#/cloudmap/namespaces/ns-[a-z0-9]+$")]
    private static partial Regex NamespaceUrl();

    [GeneratedRegex("#/cloudmap/services/srv-[a-z0-9]+$")]
    private static partial Regex ServiceUrl();
}
