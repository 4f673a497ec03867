using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Portolan.ConsoleTests.Support;
using static Microsoft.Playwright.Assertions;

namespace Portolan.ConsoleTests;

/// <summary>
/// ECS in the console: a cluster made in the UI, and the create-service form that maps several container ports to
/// several target groups at once: it sends ONE CreateService whose loadBalancers list has an entry per port, picked
/// from the target groups the ELBv2 API lists, and the service page draws each port's way to its listener.
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
        await Expect(page).ToHaveURLAsync(ClusterUrl());
        await Expect(page.Locator("h1")).ToHaveTextAsync("shop");

        // Two target groups behind one load balancer, each forwarded from its own listener (the aws CLI, elbv2).
        var http = await CreateTargetGroupAsync("web-http", "HTTP1");
        var grpc = await CreateTargetGroupAsync("web-grpc", "GRPC");
        var lb = await ElbAsync("create-load-balancer", "--name", "shop", "--subnets", "subnet-1", "subnet-2");
        var lbArn = lb.GetProperty("LoadBalancers")[0].GetProperty("LoadBalancerArn").GetString()!;
        await ElbAsync("create-listener", "--load-balancer-arn", lbArn, "--protocol", "HTTP", "--port", FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture), "--default-actions", $"Type=forward,TargetGroupArn={http}");
        await ElbAsync("create-listener", "--load-balancer-arn", lbArn, "--protocol", "HTTP", "--port", FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture), "--default-actions", $"Type=forward,TargetGroupArn={grpc}");

        var form = page.Locator("#create-ecs-service");
        await page.ReloadAsync();
        await form.Locator("input[name=serviceName]").FillAsync("web");
        await form.Locator("select[name=taskDefinition]").SelectOptionAsync(taskDefinitionArn);
        var rows = form.Locator("#port-mappings .mapping");
        await Expect(rows).ToHaveCountAsync(2);
        await rows.Nth(0).Locator("select").SelectOptionAsync(http);
        await rows.Nth(1).Locator("select").SelectOptionAsync(grpc);

        var sent = await page.RunAndWaitForRequestAsync(
            () => form.Locator("button[type=submit]").ClickAsync(),
            request => request.Headers.TryGetValue("x-amz-target", out var target) && target.EndsWith(".CreateService", StringComparison.Ordinal));
        using var body = JsonDocument.Parse(sent.PostData!);
        Assert.Equal(
            [("echo", 80, http), ("echo", 10080, grpc)],
            body.RootElement.GetProperty("loadBalancers").EnumerateArray()
                .Select(lb => (lb.GetProperty("containerName").GetString(), lb.GetProperty("containerPort").GetInt32(), lb.GetProperty("targetGroupArn").GetString())));
        // One service, both ports wired: the service page draws container port → host port → target group.
        await Expect(page).ToHaveURLAsync(ServiceUrl());
        await Expect(page.Locator("#deployments")).ToContainTextAsync("PRIMARY");
        var wiring = page.Locator("#wiring tbody tr");
        await Expect(wiring).ToHaveCountAsync(2);
        await Expect(wiring.Nth(0)).ToContainTextAsync("echo:80");
        await Expect(wiring.Nth(0)).ToContainTextAsync("web-http");
        await Expect(wiring.Nth(1)).ToContainTextAsync("echo:10080");
        await Expect(wiring.Nth(1)).ToContainTextAsync("web-grpc");
        await Expect(wiring.Nth(0)).ToContainTextAsync("HTTP:");
        await Expect(wiring.Nth(1)).ToContainTextAsync("HTTP:");
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

    private async Task<string> CreateTargetGroupAsync(string name, string protocolVersion)
    {
        var created = await ElbAsync("create-target-group", "--name", name, "--protocol", "HTTP", "--protocol-version", protocolVersion,
            "--port", "80", "--vpc-id", "vpc-1", "--target-type", "ip");
        return created.GetProperty("TargetGroups")[0].GetProperty("TargetGroupArn").GetString()!;
    }

    private async Task<JsonElement> ElbAsync(params string[] args)
    {
        var result = (await server.Aws.RunAsync(["elbv2", .. args], CancellationToken.None)).EnsureSuccess();
        using var json = result.Json();
        return json.RootElement.Clone();
    }

    private static int FreePort()
    {
        using var socket = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        socket.Start();
        return ((System.Net.IPEndPoint)socket.LocalEndpoint).Port;
    }

    [GeneratedRegex("#/ecs/clusters/shop$")]
    private static partial Regex ClusterUrl();

    [GeneratedRegex("#/ecs/clusters/shop/services/web$")]
    private static partial Regex ServiceUrl();
}
