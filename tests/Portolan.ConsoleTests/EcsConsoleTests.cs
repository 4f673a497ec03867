using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Portolan.ConsoleTests.Support;
using static Microsoft.Playwright.Assertions;
using Portolan.Testing;

namespace Portolan.ConsoleTests;

/// <summary>
/// ECS in the console: a cluster made in the UI, and the create-service form that maps several container ports to
/// several target groups at once: it sends ONE CreateService whose loadBalancers list has an entry per port, picked
/// from the target groups the ELBv2 API lists, and the service page draws each port's way to its listener. The task is
/// examples/echo as a real process: a request through the HTTP listener reaches it on its container port 80's host port.
/// </summary>
public sealed partial class EcsConsoleTests(EcsConsoleTests.Server server, Browser browser)
    : IClassFixture<EcsConsoleTests.Server>, IClassFixture<Browser>
{
    public sealed class Server : ConsoleServer;

    /// <summary>examples/echo (built with the tests): HTTP/1.1 on container port 80's host port, gRPC on 10080's.</summary>
    private static readonly string Containers = JsonSerializer.Serialize(new[]
    {
        new
        {
            name = "echo", image = "portolan/echo", essential = true, memory = 64,
            command = new[] { "dotnet", Path.Combine(Browser.RepositoryRoot(), "examples", "echo", "bin", Configuration, "net10.0", "echo.dll") },
            portMappings = new[] { new { containerPort = 80, protocol = "tcp" }, new { containerPort = 10080, protocol = "tcp" } },
        },
    });

    /// <summary>Debug or Release, as this test build.</summary>
    private static string Configuration => new DirectoryInfo(Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory)).Parent!.Name;

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
        var httpPort = FreePorts.Next();
        await ElbAsync("create-listener", "--load-balancer-arn", lbArn, "--protocol", "HTTP", "--port", httpPort.ToString(System.Globalization.CultureInfo.InvariantCulture), "--default-actions", $"Type=forward,TargetGroupArn={http}");
        await ElbAsync("create-listener", "--load-balancer-arn", lbArn, "--protocol", "HTTP", "--port", FreePorts.Next().ToString(System.Globalization.CultureInfo.InvariantCulture), "--default-actions", $"Type=forward,TargetGroupArn={grpc}");

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

        // Traffic flows: the HTTP listener → web-http → the task's host port for container port 80 (the echo process).
        var echoed = await ThroughListenerAsync(httpPort, "/through-the-listener");
        var task = (await EcsAsync("describe-tasks", "--cluster", "shop", "--tasks", (await EcsAsync("list-tasks", "--cluster", "shop", "--service-name", "web")).GetProperty("taskArns")[0].GetString()!))
            .GetProperty("tasks")[0];
        var taskId = task.GetProperty("taskArn").GetString()!.Split('/')[^1];
        var hostPorts = task.GetProperty("containers")[0].GetProperty("networkBindings").EnumerateArray()
            .ToDictionary(b => b.GetProperty("containerPort").GetInt32(), b => b.GetProperty("hostPort").GetInt32());
        Assert.Equal($"echo from task {taskId} (port {hostPorts[80]}): GET /through-the-listener \n", echoed);
        // The page follows the task: each row now names its real host port.
        await Expect(wiring.Nth(0)).ToContainTextAsync($":{hostPorts[80]}");
        await Expect(wiring.Nth(1)).ToContainTextAsync($":{hostPorts[10080]}");
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
        await EcsAsync("delete-service", "--cluster", "shop", "--service", "web", "--force");
    }

    /// <summary>GETs through the listener until the task answers (it is registered a moment after it starts).</summary>
    private static async Task<string> ThroughListenerAsync(int port, string path)
    {
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        var deadline = DateTime.UtcNow.AddSeconds(90);
        while (true)
        {
            try
            {
                // 503 until the task is registered with the group.
                using var response = await client.GetAsync(new Uri($"http://127.0.0.1:{port}{path}"));
                var body = await response.Content.ReadAsStringAsync();
                if (response.IsSuccessStatusCode || DateTime.UtcNow > deadline) return body;
            }
            catch (HttpRequestException) when (DateTime.UtcNow < deadline)
            {
                // The listener's port opens a moment after CreateListener.
            }

            await Task.Delay(250);
        }
    }

    private async Task<JsonElement> EcsAsync(params string[] args)
    {
        var result = (await server.Aws.RunAsync(["ecs", .. args], CancellationToken.None)).EnsureSuccess();
        using var json = result.Json();
        return json.RootElement.Clone();
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


    [GeneratedRegex("#/ecs/clusters/shop$")]
    private static partial Regex ClusterUrl();

    [GeneratedRegex("#/ecs/clusters/shop/services/web$")]
    private static partial Regex ServiceUrl();
}
