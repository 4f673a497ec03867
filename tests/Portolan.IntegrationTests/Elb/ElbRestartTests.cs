using Portolan.IntegrationTests.Support;
using Portolan.Testing;

namespace Portolan.IntegrationTests.Elb;

/// <summary>
/// <c>portolan serve</c> killed with SIGKILL after the CLI got its answers: a new process on the same data dir serves
/// every acknowledged load balancer, listener, rule, target group, target (a draining one still draining) and tag.
/// </summary>
public sealed class ElbRestartTests
{
    private static Task<PortolanProcess> ServeAsync(string dataDir) =>
        PortolanProcess.StartAsync(["serve", "--api", "127.0.0.1:0", "--dns", "127.0.0.1:0", "--data-dir", dataDir]);

    [Fact]
    public async Task Everything_acknowledged_survives_a_kill_and_restart()
    {
        using var dataDir = new TempDirectory();
        string lb, tg, listener, rule, before;

        await using (var first = await ServeAsync(dataDir.Path))
        {
            var elb = new Elb(new AwsCli(first.ApiUri));
            lb = (await elb.OkAsync("create-load-balancer", "--name", "persist-alb", "--tags", "Key=env,Value=dev")).GetProperty("LoadBalancers")[0].Str("LoadBalancerArn");
            tg = (await elb.OkAsync("create-target-group", "--name", "persist-tg", "--protocol", "HTTP", "--protocol-version", "GRPC", "--port", "50051",
                "--target-type", "ip")).GetProperty("TargetGroups")[0].Str("TargetGroupArn");
            listener = (await elb.OkAsync("create-listener", "--load-balancer-arn", lb, "--protocol", "HTTP", "--port", FreePorts.Next().ToString(System.Globalization.CultureInfo.InvariantCulture),
                "--default-actions", $"Type=forward,TargetGroupArn={tg}")).GetProperty("Listeners")[0].Str("ListenerArn");
            rule = (await elb.OkAsync("create-rule", "--listener-arn", listener, "--priority", "7", "--conditions", "Field=host-header,Values=api.example.com",
                "--actions", "Type=fixed-response,FixedResponseConfig={StatusCode=418}")).GetProperty("Rules")[0].Str("RuleArn");
            await elb.OkAsync("register-targets", "--target-group-arn", tg, "--targets", "Id=127.0.0.1", "Id=127.0.0.2");
            await elb.OkAsync("deregister-targets", "--target-group-arn", tg, "--targets", "Id=127.0.0.2");
            await elb.OkAsync("modify-target-group-attributes", "--target-group-arn", tg, "--attributes", "Key=load_balancing.algorithm.type,Value=least_outstanding_requests");
            before = (await elb.RunAsync("describe-rules", "--listener-arn", listener)).StdOut;

            await first.KillAsync();
        }

        await using var second = await ServeAsync(dataDir.Path);
        var again = new Elb(new AwsCli(second.ApiUri));
        Assert.Equal("persist-alb", (await again.OkAsync("describe-load-balancers", "--load-balancer-arns", lb)).GetProperty("LoadBalancers")[0].Str("LoadBalancerName"));
        Assert.Equal([lb], (await again.OkAsync("describe-target-groups", "--target-group-arns", tg)).GetProperty("TargetGroups")[0]
            .GetProperty("LoadBalancerArns").EnumerateArray().Select(a => a.GetString()));
        Assert.Equal(before, (await again.RunAsync("describe-rules", "--listener-arn", listener)).StdOut);
        Assert.Equal("418", (await again.OkAsync("describe-rules", "--rule-arns", rule)).GetProperty("Rules")[0].GetProperty("Actions")[0]
            .GetProperty("FixedResponseConfig").Str("StatusCode"));
        var health = (await again.OkAsync("describe-target-health", "--target-group-arn", tg)).GetProperty("TargetHealthDescriptions").EnumerateArray()
            .ToDictionary(d => d.GetProperty("Target").Str("Id"), d => d.GetProperty("TargetHealth").Str("State"));
        Assert.Equal("draining", health["127.0.0.2"]);
        Assert.Contains(health["127.0.0.1"], new[] { "initial", "unhealthy" }); // the health engine may have judged it since
        Assert.Equal("least_outstanding_requests", LoadBalancerTests.Attributes(await again.OkAsync("describe-target-group-attributes", "--target-group-arn", tg))["load_balancing.algorithm.type"]);
        Assert.Equal("dev", (await again.OkAsync("describe-tags", "--resource-arns", lb)).GetProperty("TagDescriptions")[0].GetProperty("Tags")[0].Str("Value"));
    }
}
