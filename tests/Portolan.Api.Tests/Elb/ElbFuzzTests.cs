using System.Xml.Linq;
using Portolan.Api.Elb;

namespace Portolan.Api.Tests.Elb;

/// <summary>
/// Nothing a client sends may crash the server: every operation gets a bounded stream of forms made of real member
/// names with hostile values (wrong types, huge numbers, ARNs of other kinds, markup, empty and missing members, sparse
/// lists). Each reply must be a well-formed 200 or an ELB 400 error, never a 500.
/// </summary>
public sealed class ElbFuzzTests(ElbHost host) : IClassFixture<ElbHost>
{
    private static readonly string[] Keys =
    [
        "Name", "Names.member.1", "Names.member.2", "LoadBalancerArn", "LoadBalancerArns.member.1", "TargetGroupArn", "TargetGroupArns.member.1",
        "ListenerArn", "ListenerArns.member.1", "RuleArn", "RuleArns.member.1", "ResourceArns.member.1", "ResourceArns.member.3",
        "Subnets.member.1", "SubnetMappings.member.1.SubnetId", "SecurityGroups.member.1", "Scheme", "Type", "IpAddressType",
        "Protocol", "ProtocolVersion", "Port", "VpcId", "TargetType", "HealthCheckProtocol", "HealthCheckPort", "HealthCheckEnabled",
        "HealthCheckPath", "HealthCheckIntervalSeconds", "HealthCheckTimeoutSeconds", "HealthyThresholdCount", "UnhealthyThresholdCount",
        "Matcher.HttpCode", "Matcher.GrpcCode", "Targets.member.1.Id", "Targets.member.1.Port", "Targets.member.2.Id",
        "Attributes.member.1.Key", "Attributes.member.1.Value", "Tags.member.1.Key", "Tags.member.1.Value", "TagKeys.member.1",
        "Certificates.member.1.CertificateArn", "SslPolicy", "AlpnPolicy.member.1", "Priority", "Marker", "PageSize",
        "DefaultActions.member.1.Type", "DefaultActions.member.1.TargetGroupArn", "DefaultActions.member.1.Order",
        "DefaultActions.member.1.ForwardConfig.TargetGroups.member.1.TargetGroupArn", "DefaultActions.member.1.ForwardConfig.TargetGroups.member.1.Weight",
        "DefaultActions.member.1.ForwardConfig.TargetGroupStickinessConfig.Enabled", "DefaultActions.member.1.RedirectConfig.StatusCode",
        "DefaultActions.member.1.RedirectConfig.Port", "DefaultActions.member.1.FixedResponseConfig.StatusCode",
        "Actions.member.1.Type", "Actions.member.1.TargetGroupArn", "Actions.member.1.FixedResponseConfig.StatusCode",
        "Conditions.member.1.Field", "Conditions.member.1.Values.member.1", "Conditions.member.1.PathPatternConfig.Values.member.1",
        "Conditions.member.1.HttpHeaderConfig.HttpHeaderName", "Conditions.member.1.QueryStringConfig.Values.member.1.Value",
        "Conditions.member.1.SourceIpConfig.Values.member.1", "Conditions.member.2.Field",
        "RulePriorities.member.1.RuleArn", "RulePriorities.member.1.Priority", "LoadBalancerType",
    ];

    private static readonly string[] Values =
    [
        "", " ", "0", "-1", "1", "80", "65536", "2147483648", "99999999999999999999", "1e3", "true", "false", "TRUE", "null",
        "HTTP", "HTTPS", "TCP", "GRPC", "HTTP2", "ip", "instance", "lambda", "internal", "dualstack", "ipv6", "forward", "redirect",
        "fixed-response", "authenticate-oidc", "path-pattern", "host-header", "http-header", "query-string", "source-ip", "cookie",
        "HTTP_301", "503", "200-299", "0-99", "/", "/*", "*", "10.0.0.1", "::1", "10.0.0.0/8", "i-0123456789abcdef0", "a-b-c",
        "<x>&amp;\"'", "\u0000\u0001", "é🙂", new string('a', 5000), "file:///etc/passwd", "/etc/hostname",
        "arn:aws:elasticloadbalancing:us-east-1:000000000000:loadbalancer/app/x/0123456789abcdef",
        "arn:aws:elasticloadbalancing:us-east-1:000000000000:targetgroup/x/0123456789abcdef",
        "arn:aws:elasticloadbalancing:us-east-1:000000000000:listener/app/x/0123456789abcdef/0123456789abcdef",
        "arn:aws:elasticloadbalancing:us-east-1:000000000000:listener-rule/app/x/0123456789abcdef/0123456789abcdef/0123456789abcdef",
        "arn:aws:servicediscovery:us-east-1:000000000000:service/srv-1", "arn:", "deregistration_delay.timeout_seconds",
        "idle_timeout.timeout_seconds", "ELBSecurityPolicy-2016-08", "HTTP2Only",
    ];

    [Fact]
    public async Task Hostile_forms_never_fail_the_server()
    {
        var random = new Random(20151201);
        var operations = ElbService.OperationNames.Order(StringComparer.Ordinal).ToList();
        foreach (var operation in operations)
        {
            for (var i = 0; i < 25; i++)
            {
                var form = new List<KeyValuePair<string, string>> { new("Action", operation), new("Version", "2015-12-01") };
                for (var n = random.Next(0, 12); n > 0; n--)
                {
                    form.Add(new(Keys[random.Next(Keys.Length)], Values[random.Next(Values.Length)]));
                }
                // The decoder keeps the last of repeated keys, like a dictionary would.
                form = form.GroupBy(kv => kv.Key).Select(g => g.Last()).ToList();

                var (status, xml, body) = await host.PostAsync(form);
                Assert.True(status is 200 or 400, $"{operation} {string.Join('&', form.Select(kv => kv.Key + "=" + kv.Value))}\n-> {status} {body}");
                if (status == 400)
                {
                    Assert.Equal(ElbHost.Ns + "ErrorResponse", xml.Root!.Name);
                    Assert.False(string.IsNullOrEmpty(xml.Root.Element(ElbHost.Ns + "Error")!.Element(ElbHost.Ns + "Code")!.Value));
                }
                else
                {
                    Assert.Equal(ElbHost.Ns + operation + "Response", xml.Root!.Name);
                }
            }
        }
    }
}
