using Portolan.IntegrationTests.Support;
using Portolan.Testing;

namespace Portolan.IntegrationTests.Elb;

/// <summary>
/// <c>portolan serve --strict-aws</c> with the real aws CLI: AWS's quotas (1000 targets per group, shown by
/// describe-account-limits) and requirements (two subnets, a VPC, health checks that stay on).
/// </summary>
public sealed class StrictTests(StrictElbServer server) : IClassFixture<StrictElbServer>
{
    private Elb Elb => server.Elb;

    [Fact]
    public async Task Account_limits_are_aws_quotas()
    {
        var limits = (await Elb.OkAsync("describe-account-limits")).GetProperty("Limits").EnumerateArray()
            .ToDictionary(l => l.Str("Name"), l => l.Str("Max"), StringComparer.Ordinal);
        Assert.Equal("50", limits["application-load-balancers"]);
        Assert.Equal("1000", limits["targets-per-application-load-balancer"]);
        Assert.Equal("100", limits["rules-per-application-load-balancer"]);
        Assert.Equal("5", limits["condition-values-per-alb-rule"]);
    }

    [Fact]
    public async Task Aws_requirements_apply()
    {
        await Elb.FailsAsync("ValidationError", "CreateLoadBalancer", "create-load-balancer", "--name", ElbServer.Unique("one"), "--subnets", "subnet-1");
        await Elb.FailsAsync("ValidationError", "CreateTargetGroup", "create-target-group", "--name", ElbServer.Unique("novpc"), "--protocol", "HTTP", "--port", "80");
        await Elb.FailsAsync("InvalidConfigurationRequest", "CreateTargetGroup", "create-target-group", "--name", ElbServer.Unique("nohc"),
            "--protocol", "HTTP", "--port", "80", "--vpc-id", "vpc-1", "--no-health-check-enabled");

        // gRPC to the targets needs an HTTPS listener on AWS.
        var lb = await server.SeedLoadBalancerAsync(ElbServer.Unique("strict"));
        var grpc = await server.SeedTargetGroupAsync(ElbServer.Unique("grpc"), version: "GRPC");
        await Elb.FailsAsync("IncompatibleProtocols", "CreateListener", "create-listener", "--load-balancer-arn", lb, "--protocol", "HTTP",
            "--port", FreePorts.Next().ToString(System.Globalization.CultureInfo.InvariantCulture), "--default-actions", $"Type=forward,TargetGroupArn={grpc}");
    }

    [Fact]
    public async Task More_than_1000_targets_is_too_many()
    {
        var tg = await server.SeedTargetGroupAsync(ElbServer.Unique("many"));
        using var dir = new TempDirectory();
        string Targets(int from, int count) => System.Text.Json.JsonSerializer.Serialize(
            Enumerable.Range(from, count).Select(i => new { Id = $"10.{i / 65536}.{i / 256 % 256}.{i % 256}", Port = 8080 }));
        var thousand = Path.Combine(dir.Path, "thousand.json");
        await File.WriteAllTextAsync(thousand, Targets(1, 1000));
        await Elb.OkAsync("register-targets", "--target-group-arn", tg, "--targets", $"file://{thousand}");

        var more = Path.Combine(dir.Path, "more.json");
        await File.WriteAllTextAsync(more, Targets(1001, 1));
        await Elb.FailsAsync("TooManyTargets", "RegisterTargets", "register-targets", "--target-group-arn", tg, "--targets", $"file://{more}");
        Assert.Equal(1000, (await Elb.OkAsync("describe-target-health", "--target-group-arn", tg)).GetProperty("TargetHealthDescriptions").GetArrayLength());
    }
}
