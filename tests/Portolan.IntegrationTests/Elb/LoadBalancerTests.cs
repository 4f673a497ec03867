using System.Text.Json;
using Portolan.IntegrationTests.Support;

namespace Portolan.IntegrationTests.Elb;

/// <summary>
/// create-load-balancer, describe-load-balancers, delete-load-balancer, the attribute commands and set-security-groups /
/// set-subnets / set-ip-address-type with the real aws CLI against <c>portolan serve</c>, including errors and paging.
/// </summary>
public sealed class LoadBalancerTests(ElbServer server) : IClassFixture<ElbServer>
{
    private Elb Elb => server.Elb;

    private static JsonElement First(JsonElement output) => output.GetProperty("LoadBalancers").EnumerateArray().Single();

    [Fact]
    public async Task Load_balancer_is_created_as_aws_describes_it_then_deleted()
    {
        var name = ElbServer.Unique("demo-alb");
        var lb = First(await Elb.OkAsync("create-load-balancer", "--name", name, "--subnets", "subnet-1", "subnet-2",
            "--security-groups", "sg-1", "--scheme", "internal", "--type", "application", "--tags", "Key=env,Value=test"));

        var arn = lb.Str("LoadBalancerArn");
        Assert.Matches($"^arn:aws:elasticloadbalancing:us-east-1:000000000000:loadbalancer/app/{name}/[0-9a-f]{{16}}$", arn);
        Assert.Matches($@"^internal-{name}-\d{{10}}\.us-east-1\.elb\.localhost$", lb.Str("DNSName"));
        Assert.Equal("Z35SXDOTRQ7X7K", lb.Str("CanonicalHostedZoneId"));
        Assert.Equal(name, lb.Str("LoadBalancerName"));
        Assert.Equal("internal", lb.Str("Scheme"));
        Assert.Equal("active", lb.GetProperty("State").Str("Code"));
        Assert.Equal("application", lb.Str("Type"));
        Assert.Equal("ipv4", lb.Str("IpAddressType"));
        Assert.Equal(["subnet-1:us-east-1a", "subnet-2:us-east-1b"],
            lb.GetProperty("AvailabilityZones").EnumerateArray().Select(z => $"{z.Str("SubnetId")}:{z.Str("ZoneName")}"));
        Assert.Equal(["sg-1"], lb.GetProperty("SecurityGroups").EnumerateArray().Select(g => g.GetString()));
        Assert.True(DateTimeOffset.UtcNow - lb.Time("CreatedTime") < TimeSpan.FromHours(1));

        // Same settings again: AWS's CreateLoadBalancer is idempotent.
        Assert.Equal(lb.ToString(), First(await Elb.OkAsync("create-load-balancer", "--name", name, "--subnets", "subnet-1", "subnet-2",
            "--security-groups", "sg-1", "--scheme", "internal")).ToString());
        Assert.Equal(lb.ToString(), First(await Elb.OkAsync("describe-load-balancers", "--load-balancer-arns", arn)).ToString());
        Assert.Equal(lb.ToString(), First(await Elb.OkAsync("describe-load-balancers", "--names", name)).ToString());

        var deleted = await Elb.RunAsync("delete-load-balancer", "--load-balancer-arn", arn);
        Assert.True(deleted.ExitCode == 0, deleted.ToString());
        Assert.Equal("", deleted.StdOut.Trim());
        await Elb.FailsAsync("LoadBalancerNotFound", "DescribeLoadBalancers", "describe-load-balancers", "--load-balancer-arns", arn);
        // Deleting what is gone succeeds, as on AWS.
        await Elb.OkAsync("delete-load-balancer", "--load-balancer-arn", arn);
    }

    [Fact]
    public async Task Create_and_describe_errors_are_elbs()
    {
        var name = ElbServer.Unique("dup");
        await server.SeedLoadBalancerAsync(name);
        await Elb.FailsAsync("DuplicateLoadBalancerName", "CreateLoadBalancer", "create-load-balancer", "--name", name, "--subnets", "subnet-9");
        await Elb.FailsAsync("ValidationError", "CreateLoadBalancer", "create-load-balancer", "--name=-bad-name");
        await Elb.FailsAsync("ValidationError", "CreateLoadBalancer", "create-load-balancer", "--name", "internal-x");
        await Elb.FailsAsync("ValidationError", "CreateLoadBalancer", "create-load-balancer", "--name", ElbServer.Unique("nlb"), "--type", "network");
        await Elb.FailsAsync("LoadBalancerNotFound", "DescribeLoadBalancers", "describe-load-balancers", "--names", ElbServer.Unique("missing"));
        await Elb.FailsAsync("ValidationError", "DescribeLoadBalancers", "describe-load-balancers", "--load-balancer-arns", "not-an-arn");
        await Elb.FailsAsync("ValidationError", "DescribeLoadBalancers", "describe-load-balancers", "--names", name,
            "--load-balancer-arns", "arn:aws:elasticloadbalancing:us-east-1:000000000000:loadbalancer/app/x/0123456789abcdef");
        await Elb.FailsAsync("ValidationError", "DeleteLoadBalancer", "delete-load-balancer", "--load-balancer-arn", "arn:aws:s3:::bucket");
    }

    [Fact]
    public async Task Attributes_have_aws_defaults_change_validate_and_protect_from_deletion()
    {
        var arn = await server.SeedLoadBalancerAsync(ElbServer.Unique("attrs"));
        var attributes = Attributes(await Elb.OkAsync("describe-load-balancer-attributes", "--load-balancer-arn", arn));
        Assert.Equal("60", attributes["idle_timeout.timeout_seconds"]);
        Assert.Equal("true", attributes["routing.http2.enabled"]);
        Assert.Equal("false", attributes["deletion_protection.enabled"]);
        Assert.Equal("defensive", attributes["routing.http.desync_mitigation_mode"]);

        var modified = Attributes(await Elb.OkAsync("modify-load-balancer-attributes", "--load-balancer-arn", arn,
            "--attributes", "Key=idle_timeout.timeout_seconds,Value=120", "Key=deletion_protection.enabled,Value=true"));
        Assert.Equal("120", modified["idle_timeout.timeout_seconds"]);
        Assert.Equal(attributes.Count, modified.Count);
        Assert.Equal(modified, Attributes(await Elb.OkAsync("describe-load-balancer-attributes", "--load-balancer-arn", arn)));

        await Elb.FailsAsync("OperationNotPermitted", "DeleteLoadBalancer", "delete-load-balancer", "--load-balancer-arn", arn);
        await Elb.FailsAsync("ValidationError", "ModifyLoadBalancerAttributes", "modify-load-balancer-attributes", "--load-balancer-arn", arn,
            "--attributes", "Key=idle_timeout.timeout_seconds,Value=0");
        await Elb.FailsAsync("ValidationError", "ModifyLoadBalancerAttributes", "modify-load-balancer-attributes", "--load-balancer-arn", arn,
            "--attributes", "Key=no.such.attribute,Value=1");
        await Elb.FailsAsync("LoadBalancerNotFound", "DescribeLoadBalancerAttributes", "describe-load-balancer-attributes",
            "--load-balancer-arn", arn.Replace(ElbArnId(arn), "0123456789abcdef", StringComparison.Ordinal));
        Assert.Equal("120", Attributes(await Elb.OkAsync("describe-load-balancer-attributes", "--load-balancer-arn", arn))["idle_timeout.timeout_seconds"]);

        await Elb.OkAsync("modify-load-balancer-attributes", "--load-balancer-arn", arn, "--attributes", "Key=deletion_protection.enabled,Value=false");
        await Elb.OkAsync("delete-load-balancer", "--load-balancer-arn", arn);
    }

    [Fact]
    public async Task Security_groups_subnets_and_ip_address_type_are_set_and_echoed()
    {
        var name = ElbServer.Unique("net");
        var arn = await server.SeedLoadBalancerAsync(name);

        var groups = await Elb.OkAsync("set-security-groups", "--load-balancer-arn", arn, "--security-groups", "sg-a", "sg-b");
        Assert.Equal(["sg-a", "sg-b"], groups.GetProperty("SecurityGroupIds").EnumerateArray().Select(g => g.GetString()));

        var subnets = await Elb.OkAsync("set-subnets", "--load-balancer-arn", arn, "--subnets", "subnet-x", "subnet-y", "subnet-z");
        Assert.Equal(["us-east-1a", "us-east-1b", "us-east-1c"], subnets.GetProperty("AvailabilityZones").EnumerateArray().Select(z => z.Str("ZoneName")));

        var type = await Elb.OkAsync("set-ip-address-type", "--load-balancer-arn", arn, "--ip-address-type", "dualstack");
        Assert.Equal("dualstack", type.Str("IpAddressType"));

        var lb = First(await Elb.OkAsync("describe-load-balancers", "--names", name));
        Assert.Equal("dualstack", lb.Str("IpAddressType"));
        Assert.Equal(["sg-a", "sg-b"], lb.GetProperty("SecurityGroups").EnumerateArray().Select(g => g.GetString()));
        Assert.Equal(3, lb.GetProperty("AvailabilityZones").GetArrayLength());

        await Elb.FailsAsync("ValidationError", "SetIpAddressType", "set-ip-address-type", "--load-balancer-arn", arn, "--ip-address-type", "ipv6");
        await Elb.FailsAsync("LoadBalancerNotFound", "SetSecurityGroups", "set-security-groups",
            "--load-balancer-arn", arn.Replace(ElbArnId(arn), "0123456789abcdef", StringComparison.Ordinal), "--security-groups", "sg-1");
    }

    [Fact]
    public async Task Describe_pages_with_marker_and_page_size()
    {
        var names = Enumerable.Range(0, 5).Select(i => ElbServer.Unique($"page{i}")).ToList();
        foreach (var n in names) await server.SeedLoadBalancerAsync(n);
        var expected = names.Order(StringComparer.Ordinal).ToList();

        // ELB's own PageSize shadows the CLI's --page-size, which then turns the CLI's paginator off: the caller pages
        // with --marker, exactly as against AWS.
        var pages = new List<string>();
        string? marker = null;
        do
        {
            string[] args = ["describe-load-balancers", "--names", .. names, "--page-size", "2"];
            var page = await Elb.OkAsync(marker is null ? args : [.. args, "--marker", marker]);
            var got = page.Column("LoadBalancers", "LoadBalancerName");
            Assert.InRange(got.Count, 1, 2);
            pages.AddRange(got);
            marker = page.OptStr("NextMarker");
        }
        while (marker is not null);
        Assert.Equal(expected, pages);

        // --max-items is the CLI's own truncation on top of the server's pages.
        var limited = await Elb.OkAsync(["describe-load-balancers", "--names", .. names, "--max-items", "3"]);
        Assert.Equal(expected[..3], limited.Column("LoadBalancers", "LoadBalancerName"));
        Assert.NotNull(limited.OptStr("NextToken"));

        await Elb.FailsAsync("ValidationError", "DescribeLoadBalancers", ["describe-load-balancers", "--names", .. names, "--page-size", "401"]);
        await Elb.FailsAsync("ValidationError", "DescribeLoadBalancers", ["describe-load-balancers", "--marker", "%%%"]);

        var everything = await Elb.OkAsync("describe-load-balancers");
        Assert.Superset(names.ToHashSet(), everything.Column("LoadBalancers", "LoadBalancerName").ToHashSet());
    }

    internal static Dictionary<string, string> Attributes(JsonElement output) =>
        output.GetProperty("Attributes").EnumerateArray().ToDictionary(a => a.Str("Key"), a => a.Str("Value"), StringComparer.Ordinal);

    internal static string ElbArnId(string arn) => arn[(arn.LastIndexOf('/') + 1)..];
}
