using System.Text.Json;
using Portolan.IntegrationTests.Support;

namespace Portolan.IntegrationTests.Elb;

/// <summary>
/// create-target-group, describe-target-groups, modify-target-group, the attribute commands and delete-target-group with
/// the real aws CLI, including AWS's defaults per protocol version and the errors.
/// </summary>
public sealed class TargetGroupTests(ElbServer server) : IClassFixture<ElbServer>
{
    private Elb Elb => server.Elb;

    private static JsonElement First(JsonElement output) => output.GetProperty("TargetGroups").EnumerateArray().Single();

    [Fact]
    public async Task Grpc_target_group_from_the_captured_command_keeps_its_settings()
    {
        var name = ElbServer.Unique("echo-grpc");
        var tg = First(await Elb.OkAsync("create-target-group", "--name", name, "--protocol", "HTTP", "--protocol-version", "GRPC",
            "--port", "10080", "--vpc-id", "vpc-1", "--target-type", "ip", "--health-check-path", "/grpc.health.v1.Health/Check",
            "--matcher", "GrpcCode=0-99"));

        Assert.Matches($"^arn:aws:elasticloadbalancing:us-east-1:000000000000:targetgroup/{name}/[0-9a-f]{{16}}$", tg.Str("TargetGroupArn"));
        Assert.Equal(name, tg.Str("TargetGroupName"));
        Assert.Equal(("HTTP", 10080, "vpc-1", "ip", "GRPC", "ipv4"),
            (tg.Str("Protocol"), tg.GetProperty("Port").GetInt32(), tg.Str("VpcId"), tg.Str("TargetType"), tg.Str("ProtocolVersion"), tg.Str("IpAddressType")));
        Assert.Equal("/grpc.health.v1.Health/Check", tg.Str("HealthCheckPath"));
        Assert.Equal("0-99", tg.GetProperty("Matcher").Str("GrpcCode"));
        Assert.False(tg.GetProperty("Matcher").TryGetProperty("HttpCode", out _));
        Assert.Equal(0, tg.GetProperty("LoadBalancerArns").GetArrayLength());

        // AWS's defaults for an unconfigured gRPC group: /AWS.ALB/healthcheck expecting UNIMPLEMENTED (12).
        var plain = First(await Elb.OkAsync("create-target-group", "--name", ElbServer.Unique("grpc-default"), "--protocol", "HTTP",
            "--protocol-version", "GRPC", "--port", "50051", "--target-type", "ip"));
        Assert.Equal("/AWS.ALB/healthcheck", plain.Str("HealthCheckPath"));
        Assert.Equal("12", plain.GetProperty("Matcher").Str("GrpcCode"));
    }

    [Fact]
    public async Task Http_target_group_gets_aws_defaults_and_is_modified()
    {
        var name = ElbServer.Unique("echo-http");
        var created = First(await Elb.OkAsync("create-target-group", "--name", name, "--protocol", "HTTP", "--port", "80", "--vpc-id", "vpc-1"));
        Assert.Equal(("instance", "HTTP1", "HTTP", "traffic-port", true, "/"),
            (created.Str("TargetType"), created.Str("ProtocolVersion"), created.Str("HealthCheckProtocol"), created.Str("HealthCheckPort"),
             created.GetProperty("HealthCheckEnabled").GetBoolean(), created.Str("HealthCheckPath")));
        Assert.Equal((30, 5, 5, 2), (created.GetProperty("HealthCheckIntervalSeconds").GetInt32(), created.GetProperty("HealthCheckTimeoutSeconds").GetInt32(),
            created.GetProperty("HealthyThresholdCount").GetInt32(), created.GetProperty("UnhealthyThresholdCount").GetInt32()));
        Assert.Equal("200", created.GetProperty("Matcher").Str("HttpCode"));
        var arn = created.Str("TargetGroupArn");

        // Idempotent with the same settings; the same name with others is a duplicate.
        Assert.Equal(created.ToString(), First(await Elb.OkAsync("create-target-group", "--name", name, "--protocol", "HTTP", "--port", "80", "--vpc-id", "vpc-1")).ToString());
        await Elb.FailsAsync("DuplicateTargetGroupName", "CreateTargetGroup", "create-target-group", "--name", name, "--protocol", "HTTP", "--port", "81", "--vpc-id", "vpc-1");

        var modified = First(await Elb.OkAsync("modify-target-group", "--target-group-arn", arn, "--health-check-path", "/healthz",
            "--health-check-interval-seconds", "10", "--health-check-timeout-seconds", "3", "--healthy-threshold-count", "2",
            "--matcher", "HttpCode=200-299", "--health-check-port", "9090"));
        Assert.Equal(("/healthz", 10, 3, 2, "200-299", "9090"), (modified.Str("HealthCheckPath"), modified.GetProperty("HealthCheckIntervalSeconds").GetInt32(),
            modified.GetProperty("HealthCheckTimeoutSeconds").GetInt32(), modified.GetProperty("HealthyThresholdCount").GetInt32(),
            modified.GetProperty("Matcher").Str("HttpCode"), modified.Str("HealthCheckPort")));
        Assert.Equal(2, modified.GetProperty("UnhealthyThresholdCount").GetInt32());
        Assert.Equal(modified.ToString(), First(await Elb.OkAsync("describe-target-groups", "--target-group-arns", arn)).ToString());

        await Elb.FailsAsync("ValidationError", "ModifyTargetGroup", "modify-target-group", "--target-group-arn", arn, "--health-check-timeout-seconds", "10");
        await Elb.FailsAsync("ValidationError", "ModifyTargetGroup", "modify-target-group", "--target-group-arn", arn, "--matcher", "GrpcCode=0");
        await Elb.FailsAsync("TargetGroupNotFound", "ModifyTargetGroup", "modify-target-group",
            "--target-group-arn", arn.Replace(LoadBalancerTests.ElbArnId(arn), "0123456789abcdef", StringComparison.Ordinal), "--health-check-path", "/x");
    }

    [Fact]
    public async Task Create_rejects_what_aws_rejects()
    {
        string N() => ElbServer.Unique("bad");
        await Elb.FailsAsync("ValidationError", "CreateTargetGroup", "create-target-group", "--name", N(), "--protocol", "HTTP", "--port", "80",
            "--health-check-protocol", "TCP");
        await Elb.FailsAsync("ValidationError", "CreateTargetGroup", "create-target-group", "--name", N(), "--protocol", "HTTP", "--port", "80",
            "--health-check-interval-seconds", "5", "--health-check-timeout-seconds", "5");
        await Elb.FailsAsync("ValidationError", "CreateTargetGroup", "create-target-group", "--name", N(), "--protocol", "HTTP", "--port", "80",
            "--protocol-version", "GRPC", "--matcher", "HttpCode=200");
        await Elb.FailsAsync("ValidationError", "CreateTargetGroup", "create-target-group", "--name", N(), "--protocol", "HTTP", "--port", "70000");
        await Elb.FailsAsync("ValidationError", "CreateTargetGroup", "create-target-group", "--name", N(), "--protocol", "HTTP");
        await Elb.FailsAsync("ValidationError", "CreateTargetGroup", "create-target-group", "--name", N(), "--target-type", "lambda");
        await Elb.FailsAsync("ValidationError", "CreateTargetGroup", "create-target-group", "--name", "name_with_underscore", "--protocol", "HTTP", "--port", "80");
        await Elb.FailsAsync("ValidationError", "CreateTargetGroup", "create-target-group", "--name", N(), "--protocol", "TCP", "--port", "80",
            "--protocol-version", "HTTP2");
    }

    [Fact]
    public async Task Attributes_have_aws_defaults_and_are_validated()
    {
        var arn = await server.SeedTargetGroupAsync(ElbServer.Unique("attrs"));
        var attributes = LoadBalancerTests.Attributes(await Elb.OkAsync("describe-target-group-attributes", "--target-group-arn", arn));
        Assert.Equal("300", attributes["deregistration_delay.timeout_seconds"]);
        Assert.Equal("round_robin", attributes["load_balancing.algorithm.type"]);
        Assert.Equal("false", attributes["stickiness.enabled"]);
        Assert.Equal("lb_cookie", attributes["stickiness.type"]);
        Assert.Equal("86400", attributes["stickiness.lb_cookie.duration_seconds"]);
        Assert.Equal("0", attributes["slow_start.duration_seconds"]);

        var modified = LoadBalancerTests.Attributes(await Elb.OkAsync("modify-target-group-attributes", "--target-group-arn", arn, "--attributes",
            "Key=deregistration_delay.timeout_seconds,Value=5", "Key=load_balancing.algorithm.type,Value=weighted_random",
            "Key=load_balancing.algorithm.anomaly_mitigation,Value=on", "Key=stickiness.enabled,Value=true",
            "Key=stickiness.type,Value=app_cookie", "Key=stickiness.app_cookie.cookie_name,Value=SESSION", "Key=slow_start.duration_seconds,Value=30"));
        Assert.Equal(("5", "weighted_random", "on", "app_cookie", "SESSION", "30"), (modified["deregistration_delay.timeout_seconds"],
            modified["load_balancing.algorithm.type"], modified["load_balancing.algorithm.anomaly_mitigation"], modified["stickiness.type"],
            modified["stickiness.app_cookie.cookie_name"], modified["slow_start.duration_seconds"]));
        Assert.Equal(modified, LoadBalancerTests.Attributes(await Elb.OkAsync("describe-target-group-attributes", "--target-group-arn", arn)));

        await Elb.FailsAsync("ValidationError", "ModifyTargetGroupAttributes", "modify-target-group-attributes", "--target-group-arn", arn,
            "--attributes", "Key=deregistration_delay.timeout_seconds,Value=3601");
        await Elb.FailsAsync("ValidationError", "ModifyTargetGroupAttributes", "modify-target-group-attributes", "--target-group-arn", arn,
            "--attributes", "Key=stickiness.app_cookie.cookie_name,Value=AWSALBAPP-1");
        await Elb.FailsAsync("InvalidConfigurationRequest", "ModifyTargetGroupAttributes", "modify-target-group-attributes", "--target-group-arn", arn,
            "--attributes", "Key=load_balancing.algorithm.type,Value=least_outstanding_requests");
        await Elb.FailsAsync("ValidationError", "ModifyTargetGroupAttributes", "modify-target-group-attributes", "--target-group-arn", arn,
            "--attributes", "Key=proxy_protocol_v2.enabled,Value=true");
        Assert.Equal(modified, LoadBalancerTests.Attributes(await Elb.OkAsync("describe-target-group-attributes", "--target-group-arn", arn)));
    }

    [Fact]
    public async Task Describe_by_load_balancer_names_and_pages_and_delete_respects_use()
    {
        var (lb, tg, listener) = await server.SeedStackAsync("tgs");
        var unused = await server.SeedTargetGroupAsync(ElbServer.Unique("unused"));

        var byLb = await Elb.OkAsync("describe-target-groups", "--load-balancer-arn", lb);
        Assert.Equal([tg], byLb.Column("TargetGroups", "TargetGroupArn"));
        Assert.Equal([lb], First(byLb).GetProperty("LoadBalancerArns").EnumerateArray().Select(a => a.GetString()));

        var names = new[] { tg, unused }.Select(a => a.Split('/')[1]).ToList();
        var expected = names.Order(StringComparer.Ordinal).ToList();
        var first = await Elb.OkAsync(["describe-target-groups", "--names", .. names, "--page-size", "1"]);
        Assert.Equal(expected[..1], first.Column("TargetGroups", "TargetGroupName"));
        var second = await Elb.OkAsync(["describe-target-groups", "--names", .. names, "--page-size", "1", "--marker", first.Str("NextMarker")]);
        Assert.Equal(expected[1..], second.Column("TargetGroups", "TargetGroupName"));
        Assert.Null(second.OptStr("NextMarker"));

        await Elb.FailsAsync("TargetGroupNotFound", "DescribeTargetGroups", "describe-target-groups", "--names", ElbServer.Unique("missing"));
        await Elb.FailsAsync("ValidationError", "DescribeTargetGroups", "describe-target-groups", "--names", names[0], "--load-balancer-arn", lb);
        await Elb.FailsAsync("ResourceInUse", "DeleteTargetGroup", "delete-target-group", "--target-group-arn", tg);

        await Elb.OkAsync("delete-listener", "--listener-arn", listener);
        var deleted = await Elb.RunAsync("delete-target-group", "--target-group-arn", tg);
        Assert.True(deleted.ExitCode == 0, deleted.ToString());
        Assert.Equal("", deleted.StdOut.Trim());
        await Elb.FailsAsync("TargetGroupNotFound", "DescribeTargetGroups", "describe-target-groups", "--target-group-arns", tg);
        await Elb.OkAsync("delete-target-group", "--target-group-arn", tg);
    }
}
