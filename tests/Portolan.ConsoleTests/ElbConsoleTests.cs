using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Portolan.ConsoleTests.Support;
using static Microsoft.Playwright.Assertions;
using Portolan.Testing;

namespace Portolan.ConsoleTests;

/// <summary>
/// Load balancing in the console, all through its forms (ELBv2 Query calls, as the CLI makes): a target group, a load
/// balancer and a listener forwarding to it, bad input answered with the AWS error and nothing created, a real
/// Kestrel target registered, traffic through the listener, and the open pages turning the target healthy and then
/// unhealthy (with reason, failed probes and a timeline entry) without a reload when the target stops.
/// </summary>
public sealed partial class ElbConsoleTests(ElbConsoleTests.Server server, Browser browser)
    : IClassFixture<ElbConsoleTests.Server>, IClassFixture<Browser>
{
    public sealed class Server : ConsoleServer;

    [Fact]
    public async Task Target_group_and_listener_from_the_forms_and_a_target_turning_unhealthy_live()
    {
        await using var target = await HttpTarget.StartAsync("hello from the target");
        var page = await browser.NewPageAsync();
        await page.GotoAsync($"{server.ConsoleUrl}#/elb");
        await Expect(page.Locator("#nav a.current")).ToHaveTextAsync("Load balancers");

        // Bad input: the AWS error, and no target group.
        var tgForm = page.Locator("#create-target-group");
        await tgForm.Locator("input[name=Name]").FillAsync("not_valid!");
        await tgForm.Locator("button[type=submit]").ClickAsync();
        await Expect(tgForm.Locator(".status .error")).ToContainTextAsync("ValidationError");
        Assert.Empty((await ElbAsync("describe-target-groups")).GetProperty("TargetGroups").EnumerateArray());

        // A fast health check: every 5 s (AWS's minimum), unhealthy after two failures.
        await tgForm.Locator("input[name=Name]").FillAsync("web-targets");
        await tgForm.Locator("input[name=Port]").FillAsync("80");
        await tgForm.Locator("input[name=HealthCheckPath]").FillAsync("/health");
        await tgForm.Locator("input[name=HealthCheckIntervalSeconds]").FillAsync("5");
        await tgForm.Locator("input[name=HealthCheckTimeoutSeconds]").FillAsync("2");
        await tgForm.Locator("input[name=HealthyThresholdCount]").FillAsync("2");
        await tgForm.Locator("input[name=UnhealthyThresholdCount]").FillAsync("2");
        await tgForm.Locator("button[type=submit]").ClickAsync();
        await Expect(page).ToHaveURLAsync(TargetGroupUrl());
        var tg = Assert.Single((await ElbAsync("describe-target-groups", "--names", "web-targets")).GetProperty("TargetGroups").EnumerateArray());
        var tgArn = tg.GetProperty("TargetGroupArn").GetString()!;
        Assert.Equal(5, tg.GetProperty("HealthCheckIntervalSeconds").GetInt32());
        Assert.Equal("/health", tg.GetProperty("HealthCheckPath").GetString());

        // The target, registered through the form: unused until a listener forwards to its group.
        var register = page.Locator("#register-targets");
        await register.Locator("input[name=Id]").FillAsync("127.0.0.1");
        await register.Locator("input[name=Port]").FillAsync(target.Port.ToString(CultureInfo.InvariantCulture));
        await register.Locator("button[type=submit]").ClickAsync();
        var row = page.Locator($"#targets tr[data-id='127.0.0.1:{target.Port}']");
        await Expect(row.Locator(".badge")).ToHaveAttributeAsync("data-status", "unused");
        await Expect(row).ToContainTextAsync("Target.NotInUse");

        await page.GotoAsync($"{server.ConsoleUrl}#/elb");
        var lbForm = page.Locator("#create-load-balancer");
        await lbForm.Locator("input[name=name]").FillAsync("front");
        await lbForm.Locator("button[type=submit]").ClickAsync();
        await Expect(page).ToHaveURLAsync(LoadBalancerUrl());
        var lbArn = (await ElbAsync("describe-load-balancers", "--names", "front")).GetProperty("LoadBalancers")[0].GetProperty("LoadBalancerArn").GetString()!;

        // Bad input again (no such port): the AWS error, and no listener.
        var listenerForm = page.Locator("#create-listener");
        await listenerForm.Locator("select[name=targetGroup]").SelectOptionAsync(tgArn);
        await listenerForm.Locator("input[name=port]").FillAsync("70000");
        await listenerForm.Locator("button[type=submit]").ClickAsync();
        await Expect(listenerForm.Locator(".status .error")).ToContainTextAsync("ValidationError");
        Assert.Empty((await ElbAsync("describe-listeners", "--load-balancer-arn", lbArn)).GetProperty("Listeners").EnumerateArray());

        var port = FreePorts.Next();
        await listenerForm.Locator("input[name=port]").FillAsync(port.ToString(CultureInfo.InvariantCulture));
        await listenerForm.Locator("button[type=submit]").ClickAsync();
        await Expect(listenerForm.Locator(".status .ok")).ToContainTextAsync($"HTTP:{port}");
        var listener = page.Locator($"#listeners .listener[data-port='{port}']");
        await Expect(listener.Locator("tr[data-id=default]")).ToContainTextAsync("web-targets");
        // The open page follows the target from unused to healthy (first probe passed: Portolan's initial threshold is 1).
        await Expect(listener.Locator("tr[data-id=default] .badge[data-status=healthy]")).ToBeVisibleAsync();
        await Browser.ScreenshotAsync(page, "elb-load-balancer-listener-rules-targets");

        // Traffic flows: through the listener to the target.
        using (var http = new HttpClient())
        {
            Assert.Equal("hello from the target", await http.GetStringAsync(new Uri($"http://127.0.0.1:{port}/anything")));
        }

        await listener.Locator("tr[data-id=default] a", new() { HasText = "web-targets" }).ClickAsync();
        await Expect(page).ToHaveURLAsync(TargetGroupUrl());
        await Expect(row.Locator(".badge")).ToHaveAttributeAsync("data-status", "healthy");
        await row.Locator("a").ClickAsync();
        await Expect(page.Locator(".card .facts .badge").First).ToHaveAttributeAsync("data-status", "healthy");
        var check = page.Locator("#health-check");
        await Expect(check).ToContainTextAsync($"127.0.0.1:{target.Port}/health");
        await Expect(page.Locator("#health-timeline li").First).ToHaveAttributeAsync("data-status", "healthy");
        await page.EvaluateAsync("() => { window.notReloaded = true; }");

        await target.StopAsync();

        await Expect(page.Locator(".card .facts .badge").First).ToHaveAttributeAsync("data-status", "unhealthy", new() { Timeout = 60_000 });
        await Expect(page.Locator(".card .facts").First).ToContainTextAsync("Target.FailedHealthChecks");
        await Expect(page.Locator("#health-timeline li").First).ToHaveAttributeAsync("data-status", "unhealthy");
        await Expect(page.Locator("#health-timeline li").First).ToContainTextAsync("Target.FailedHealthChecks");
        await Expect(page.Locator("#health-timeline li[data-kind=registered]")).ToHaveCountAsync(1);
        await Expect(check.Locator("table .badge[data-status='Refused']").First).ToBeVisibleAsync();
        Assert.True(await page.EvaluateAsync<bool>("() => window.notReloaded === true"));
        await Browser.ScreenshotAsync(page, "elb-target-unhealthy-timeline");

        // What the page says is what the API says.
        var health = (await ElbAsync("describe-target-health", "--target-group-arn", tgArn)).GetProperty("TargetHealthDescriptions")[0].GetProperty("TargetHealth");
        Assert.Equal("unhealthy", health.GetProperty("State").GetString());
        Assert.Equal("Target.FailedHealthChecks", health.GetProperty("Reason").GetString());
        Assert.Empty(browser.PageErrors[page]);
    }

    [Fact]
    public async Task Target_timeline_view_answers_bad_queries_with_errors()
    {
        using var missing = await server.GetAsync("/console/api/target-health-timeline?targetGroup=x&target=127.0.0.1&port=80");
        Assert.Equal(System.Net.HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Contains("TargetGroupNotFound", await missing.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        using var badPort = await server.GetAsync("/console/api/target-health-timeline?targetGroup=x&target=127.0.0.1&port=0");
        Assert.Equal(System.Net.HttpStatusCode.BadRequest, badPort.StatusCode);
        Assert.Contains("InvalidInput", await badPort.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    private async Task<JsonElement> ElbAsync(params string[] args)
    {
        var result = (await server.Aws.RunAsync(["elbv2", .. args], CancellationToken.None)).EnsureSuccess();
        using var json = result.Json();
        return json.RootElement.Clone();
    }


    [GeneratedRegex("#/elb/target-groups/[^/]+$")]
    private static partial Regex TargetGroupUrl();

    [GeneratedRegex("#/elb/load-balancers/[^/]+$")]
    private static partial Regex LoadBalancerUrl();
}
