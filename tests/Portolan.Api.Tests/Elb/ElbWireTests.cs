using System.Text;
using System.Xml.Linq;
using Portolan.Api.Tests.Support;
using Portolan.Testing;

namespace Portolan.Api.Tests.Elb;

/// <summary>
/// The requests the real aws CLI sent (TestData/elbv2-*.http, captured byte for byte) replayed against the real ELB
/// service, with the captured ARNs swapped for the ones this server made; the replies are checked as XML, as an SDK
/// parses them (namespace, <c>&lt;OpResult&gt;</c> wrapper, <c>member</c> lists).
/// </summary>
public sealed class ElbWireTests(ElbHost host) : IClassFixture<ElbHost>
{
    private static readonly XNamespace Ns = ElbHost.Ns;
    private const string CapturedLb = "arn:aws:elasticloadbalancing:us-east-1:000000000000:loadbalancer/app/demo-alb/50dc6c495c0c9188";
    private const string CapturedGrpc = "arn:aws:elasticloadbalancing:us-east-1:000000000000:targetgroup/echo-grpc/fedcba9876543210";
    private const string CapturedHttp = "arn:aws:elasticloadbalancing:us-east-1:000000000000:targetgroup/echo-http/0123456789abcdef";
    private const string CapturedListener = "arn:aws:elasticloadbalancing:us-east-1:000000000000:listener/app/demo-alb/50dc6c495c0c9188/f2f7dc8efc522ab2";

    /// <summary>A capture's form pairs in order, each value passed through <paramref name="swap"/>.</summary>
    private static List<KeyValuePair<string, string>> Form(string capture, Func<string, string, string> swap)
    {
        var body = Encoding.ASCII.GetString(CapturedRequest.Load(capture).Body);
        return body.Split('&').Select(pair => pair.Split('=', 2)).Select(kv =>
        {
            var key = Uri.UnescapeDataString(kv[0]);
            return KeyValuePair.Create(key, swap(key, Uri.UnescapeDataString(kv[1])));
        }).ToList();
    }

    private static string Text(XElement e, string path) =>
        path.Split('/').Aggregate(e, (x, name) => x.Element(Ns + name) ?? throw new Xunit.Sdk.XunitException($"no {name} in {x}")).Value;

    private static IEnumerable<XElement> Members(XElement e, string list) =>
        (e.Element(Ns + list) ?? throw new Xunit.Sdk.XunitException($"no {list} in {e}")).Elements(Ns + "member");

    [Fact]
    public async Task Captured_cli_requests_build_a_load_balancer_end_to_end()
    {
        var suffix = Guid.NewGuid().ToString("N")[..6];
        string Named(string key, string value) => key == "Name" ? $"{value}-{suffix}" : value;

        var lbResult = await host.OkAsync("CreateLoadBalancer", Form("elbv2-create-load-balancer.http", Named));
        var lb = Members(lbResult, "LoadBalancers").Single();
        var lbArn = Text(lb, "LoadBalancerArn");
        Assert.Equal(["subnet-1", "subnet-2"], Members(lb, "AvailabilityZones").Select(z => Text(z, "SubnetId")));
        Assert.Equal(["sg-1"], Members(lb, "SecurityGroups").Select(g => g.Value));
        Assert.Equal("active", Text(lb, "State/Code"));
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$", Text(lb, "CreatedTime"));

        var tgResult = await host.OkAsync("CreateTargetGroup", Form("elbv2-create-target-group.http", Named));
        var grpc = Members(tgResult, "TargetGroups").Single();
        var grpcArn = Text(grpc, "TargetGroupArn");
        Assert.Equal("0-99", Text(grpc, "Matcher/GrpcCode"));
        Assert.Empty(grpc.Element(Ns + "LoadBalancerArns")!.Elements()); // <LoadBalancerArns/>, printed as []
        var httpArn = Text(Members(await host.OkAsync("CreateTargetGroup",
            [new("Action", "CreateTargetGroup"), new("Version", "2015-12-01"), new("Name", $"echo-http-{suffix}"), new("Protocol", "HTTP"), new("Port", "8080"), new("TargetType", "ip")]),
            "TargetGroups").Single(), "TargetGroupArn");

        string Swap(string key, string value) => key == "Port" ? FreePorts.Next().ToString(System.Globalization.CultureInfo.InvariantCulture) : value switch
        {
            CapturedLb => lbArn,
            CapturedGrpc => grpcArn,
            CapturedHttp => httpArn,
            _ => value,
        };
        var listener = Members(await host.OkAsync("CreateListener", Form("elbv2-create-listener.http", Swap)), "Listeners").Single();
        var listenerArn = Text(listener, "ListenerArn");
        Assert.Equal(grpcArn, Text(listener, "DefaultActions/member/TargetGroupArn"));
        var weighted = Members(await host.OkAsync("CreateListener", Form("elbv2-create-listener.forward-config-weighted.http", Swap)), "Listeners").Single();
        Assert.Equal(["1", "3"], Members(weighted.Element(Ns + "DefaultActions")!.Element(Ns + "member")!.Element(Ns + "ForwardConfig")!, "TargetGroups").Select(g => Text(g, "Weight")));

        string SwapListener(string key, string value) => value == CapturedListener ? listenerArn : Swap(key, value);
        var rule = Members(await host.OkAsync("CreateRule", Form("elbv2-create-rule.http", SwapListener)), "Rules").Single();
        Assert.Equal("10", Text(rule, "Priority"));
        Assert.Equal("false", Text(rule, "IsDefault"));
        var legacy = Members(await host.OkAsync("CreateRule", Form("elbv2-create-rule.legacy-values.http", SwapListener)), "Rules").Single();
        Assert.Equal("/legacy/*", Text(legacy, "Conditions/member/PathPatternConfig/Values/member"));

        var registered = await host.OkAsync("RegisterTargets", Form("elbv2-register-targets.http", Swap));
        Assert.Empty(registered.Elements()); // <RegisterTargetsResult/>: nothing printed, exit 0
        var health = Members(await host.OkAsync("DescribeTargetHealth", Form("elbv2-describe-target-health.http", Swap)), "TargetHealthDescriptions").ToList();
        Assert.Equal(["10.0.0.1:10080:initial", "10.0.0.2:10081:initial"], health.Select(h => $"{Text(h, "Target/Id")}:{Text(h, "Target/Port")}:{Text(h, "TargetHealth/State")}"));

        var described = Members(await host.OkAsync("DescribeTargetGroups", Form("elbv2-describe-target-groups.http", Swap)), "TargetGroups").Single();
        Assert.Equal([lbArn], Members(described, "LoadBalancerArns").Select(a => a.Value));
        var all = await host.OkAsync("DescribeTargetGroups", Form("elbv2-describe-target-groups.no-args.http", Swap));
        Assert.Contains(grpcArn, Members(all, "TargetGroups").Select(t => Text(t, "TargetGroupArn")));
    }

    [Fact]
    public async Task Errors_are_elb_error_responses()
    {
        var (status, xml, body) = await host.PostAsync(Form("elbv2-describe-target-groups.http", (_, v) => v));
        Assert.Equal(400, status);
        Assert.Equal(Ns + "ErrorResponse", xml.Root!.Name);
        Assert.Equal("Sender", Text(xml.Root, "Error/Type"));
        Assert.Equal("TargetGroupNotFound", Text(xml.Root, "Error/Code"));
        Assert.Equal("One or more target groups not found", Text(xml.Root, "Error/Message"));
        Assert.False(string.IsNullOrEmpty(Text(xml.Root, "RequestId")), body);

        (status, xml, _) = await host.PostAsync([new("Action", "DescribeTargetGroups"), new("Version", "2015-12-01"), new("PageSize", "many")]);
        Assert.Equal((400, "ValidationError"), (status, Text(xml.Root!, "Error/Code")));
        (status, xml, _) = await host.PostAsync([new("Action", "CreateLoadBalancer"), new("Version", "2015-12-01")]);
        Assert.Equal((400, "ValidationError"), (status, Text(xml.Root!, "Error/Code")));
        Assert.Contains("Value null at 'name'", Text(xml.Root!, "Error/Message"), StringComparison.Ordinal);
        (status, xml, _) = await host.PostAsync([new("Action", "CreateSomethingElse"), new("Version", "2015-12-01")]);
        Assert.Equal((400, "InvalidAction"), (status, Text(xml.Root!, "Error/Code")));
    }
}
