using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Portolan.ConsoleTests.Support;
using static Microsoft.Playwright.Assertions;

namespace Portolan.ConsoleTests;

/// <summary>
/// ECS in the console: a cluster made in the UI, and the create-service form that maps several container ports to
/// several target groups at once: it sends ONE CreateService whose loadBalancers list has an entry per port. (With no
/// ELBv2 API on this server, ECS takes target group ARNs unchecked; the form then asks for ARNs instead of a list.)
/// </summary>
public sealed partial class EcsConsoleTests(EcsConsoleTests.Server server, Browser browser)
    : IClassFixture<EcsConsoleTests.Server>, IClassFixture<Browser>
{
    public sealed class Server : ConsoleServer;

    private const string Containers = """
        [{"name":"echo","image":"portolan/echo","essential":true,"memory":64,
          "portMappings":[{"containerPort":80,"protocol":"tcp"},{"containerPort":10080,"protocol":"tcp"}]}]
        """;

    [Fact]
    public async Task Cluster_and_service_from_the_forms_with_a_load_balancer_entry_per_container_port()
    {
        var registered = (await server.Aws.RunAsync("ecs", "register-task-definition", "--family", "echo", "--container-definitions", Containers)).EnsureSuccess();
        using var definition = registered.Json();
        var taskDefinitionArn = definition.RootElement.GetProperty("taskDefinition").GetProperty("taskDefinitionArn").GetString()!;

        var page = await browser.NewPageAsync();
        await page.GotoAsync($"{server.ConsoleUrl}#/ecs");
        await page.Locator("#create-cluster input[name=clusterName]").FillAsync("shop");
        await page.Locator("#create-cluster button[type=submit]").ClickAsync();
        await page.WaitForURLAsync(ClusterUrl());
        await Expect(page.Locator("h1")).ToHaveTextAsync("shop");

        var form = page.Locator("#create-ecs-service");
        await form.Locator("input[name=serviceName]").FillAsync("web");
        await form.Locator("select[name=taskDefinition]").SelectOptionAsync(taskDefinitionArn);
        var rows = form.Locator("#port-mappings .mapping");
        await Expect(rows).ToHaveCountAsync(2);
        const string http = "arn:aws:elasticloadbalancing:us-east-1:000000000000:targetgroup/web-http/0123456789abcdef";
        const string grpc = "arn:aws:elasticloadbalancing:us-east-1:000000000000:targetgroup/web-grpc/fedcba9876543210";
        await rows.Nth(0).Locator("input").FillAsync(http);
        await rows.Nth(1).Locator("input").FillAsync(grpc);

        var sent = await page.RunAndWaitForRequestAsync(
            () => form.Locator("button[type=submit]").ClickAsync(),
            request => request.Headers.TryGetValue("x-amz-target", out var target) && target.EndsWith(".CreateService", StringComparison.Ordinal));
        using var body = JsonDocument.Parse(sent.PostData!);
        Assert.Equal(
            [("echo", 80, http), ("echo", 10080, grpc)],
            body.RootElement.GetProperty("loadBalancers").EnumerateArray()
                .Select(lb => (lb.GetProperty("containerName").GetString(), lb.GetProperty("containerPort").GetInt32(), lb.GetProperty("targetGroupArn").GetString())));
        // One service, both ports wired: the service page draws container port → host port → target group.
        await page.WaitForURLAsync(ServiceUrl());
        await Expect(page.Locator("#deployments")).ToContainTextAsync("PRIMARY");
        var wiring = page.Locator("#wiring tbody tr");
        await Expect(wiring).ToHaveCountAsync(2);
        await Expect(wiring.Nth(0)).ToContainTextAsync("echo:80");
        await Expect(wiring.Nth(0)).ToContainTextAsync("web-http");
        await Expect(wiring.Nth(1)).ToContainTextAsync("echo:10080");
        await Expect(wiring.Nth(1)).ToContainTextAsync("web-grpc");
        await Browser.ScreenshotAsync(page, "ecs-service-two-ports-two-target-groups");

        var created = (await server.Aws.RunAsync("ecs", "describe-services", "--cluster", "shop", "--services", "web")).EnsureSuccess();
        using var json = created.Json();
        var service = json.RootElement.GetProperty("services")[0];
        Assert.Equal("ACTIVE", service.GetProperty("status").GetString());
        Assert.Equal(taskDefinitionArn, service.GetProperty("taskDefinition").GetString());
        Assert.Equal(
            [("echo", 80, http), ("echo", 10080, grpc)],
            service.GetProperty("loadBalancers").EnumerateArray()
                .Select(lb => (lb.GetProperty("containerName").GetString(), lb.GetProperty("containerPort").GetInt32(), lb.GetProperty("targetGroupArn").GetString())));
        Assert.Empty(browser.PageErrors[page]);
    }

    [GeneratedRegex("#/ecs/clusters/shop$")]
    private static partial Regex ClusterUrl();

    [GeneratedRegex("#/ecs/clusters/shop/services/web$")]
    private static partial Regex ServiceUrl();
}
