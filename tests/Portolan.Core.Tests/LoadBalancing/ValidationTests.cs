using Portolan.Core.LoadBalancing;
using Portolan.Core.LoadBalancing.Validation;
using Portolan.Core.Registry;

namespace Portolan.Core.Tests.LoadBalancing;

public sealed class ValidationTests
{
    private static RuleCondition C(ConditionField field, params string[] values) => new() { Field = field, Values = [.. values] };

    public static TheoryData<RuleCondition[]> BadConditions => new()
    {
        Array.Empty<RuleCondition>(),
        new[] { C(ConditionField.PathPattern) },
        new[] { C(ConditionField.PathPattern, "/a", "/b", "/c", "/d") },
        new[] { C(ConditionField.PathPattern, "/a"), C(ConditionField.PathPattern, "/b") },
        new[] { C(ConditionField.PathPattern, "/a b") },
        new[] { C(ConditionField.HostHeader, "bad_host.example") },
        new[] { C(ConditionField.HttpRequestMethod, "get") },
        new[] { C(ConditionField.SourceIp, "10.0.0.1/33") },
        new[] { C(ConditionField.SourceIp, "not-an-ip") },
        new[] { new RuleCondition { Field = ConditionField.HttpHeader, HttpHeaderName = "bad header", Values = ["x"] } },
        new[] { C(ConditionField.PathPattern, "/a", "/b", "/c"), C(ConditionField.HostHeader, "a.example", "b.example", "c.example") },
        new[] { C(ConditionField.PathPattern, "/*/*/*"), C(ConditionField.HostHeader, "*.*.*") },
    };

    [Theory]
    [MemberData(nameof(BadConditions))]
    public void Conditions_Bad_AreValidationErrors(RuleCondition[] conditions)
    {
        var e = Assert.Throws<RegistryException>(() => Conditions.Validate([.. conditions]));
        Assert.Equal(ElbErrors.ValidationError, e.Code);
    }

    [Fact]
    public void Conditions_Good_Pass()
    {
        Conditions.Validate(
        [
            C(ConditionField.PathPattern, "/api/*", "/v2/?"),
            C(ConditionField.HostHeader, "*.example.com"),
            new RuleCondition { Field = ConditionField.HttpHeader, HttpHeaderName = "X-Canary", Values = ["on"] },
            new RuleCondition { Field = ConditionField.QueryString, QueryStrings = [new QueryStringPair(null, "debug")] },
        ]);
        Conditions.Validate([C(ConditionField.SourceIp, "10.0.0.0/8", "2001:db8::/32"), C(ConditionField.HttpRequestMethod, "GET", "CUSTOM_M-X")]);
    }

    [Theory]
    [InlineData("200", 200, true)]
    [InlineData("200", 201, false)]
    [InlineData("200,202", 202, true)]
    [InlineData("200-299", 250, true)]
    [InlineData("200-299,404", 404, true)]
    public void CodeRanges_Match(string text, int code, bool expected)
    {
        Assert.True(CodeRanges.TryParse(text, 200, 499, out var ranges));
        Assert.Equal(expected, ranges.Contains(code));
    }

    [Theory]
    [InlineData("")]
    [InlineData("abc")]
    [InlineData("299-200")]
    [InlineData("500")]
    [InlineData("200,")]
    [InlineData("-200")]
    public void CodeRanges_Bad_DoNotParse(string text) => Assert.False(CodeRanges.TryParse(text, 200, 499, out _));

    [Fact]
    public void Actions_RedirectToItself_And_BadFixedResponses_AreRejected()
    {
        var s = LoadBalancingSnapshot.Empty;
        const string lb = "arn:aws:elasticloadbalancing:us-east-1:000000000000:loadbalancer/app/a/0123456789abcdef";
        RegistryException Fails(RuleAction a) => Assert.Throws<RegistryException>(() => Actions.Validate([a], s, lb, ElbProtocol.Http, strict: false));

        Assert.Equal(ElbErrors.InvalidLoadBalancerAction, Fails(new RuleAction { Type = ActionType.Redirect, Redirect = new RedirectConfig { StatusCode = 301 } }).Code);
        Assert.Equal(ElbErrors.ValidationError, Fails(new RuleAction { Type = ActionType.Redirect, Redirect = new RedirectConfig { StatusCode = 307, Protocol = "HTTPS" } }).Code);
        Assert.Equal(ElbErrors.ValidationError, Fails(new RuleAction { Type = ActionType.FixedResponse, FixedResponse = new FixedResponseConfig(302, null, null) }).Code);
        Assert.Equal(ElbErrors.ValidationError, Fails(new RuleAction { Type = ActionType.FixedResponse, FixedResponse = new FixedResponseConfig(200, "text/xml", null) }).Code);
        Assert.Equal(ElbErrors.ValidationError, Fails(new RuleAction { Type = ActionType.Forward }).Code);
        Assert.Equal(ElbErrors.TargetGroupNotFound, Fails(LoadBalancingHarness.Forward("arn:aws:elasticloadbalancing:us-east-1:000000000000:targetgroup/x/0123456789abcdef")).Code);
        Assert.Equal(ElbErrors.ValidationError, Fails(LoadBalancingHarness.Forward("not-an-arn")).Code);

        Actions.Validate([new RuleAction { Type = ActionType.Redirect, Redirect = new RedirectConfig { StatusCode = 301, Protocol = "HTTPS", Port = "443" } }], s, lb, ElbProtocol.Http, false);
        Actions.Validate([new RuleAction { Type = ActionType.FixedResponse, FixedResponse = new FixedResponseConfig(404, "application/json", "{}") }], s, lb, ElbProtocol.Http, false);
    }

    [Fact]
    public void Arns_WellFormedness()
    {
        Assert.True(ElbArns.IsWellFormed("arn:aws:elasticloadbalancing:us-east-1:000000000000:loadbalancer/app/demo-alb/50dc6c495c0c9188", ElbResourceKind.LoadBalancer));
        Assert.True(ElbArns.IsWellFormed("arn:aws:elasticloadbalancing:us-east-1:000000000000:listener-rule/app/demo-alb/50dc6c495c0c9188/f2f7dc8efc522ab2/9683b2d02a6cabee", ElbResourceKind.Rule));
        Assert.False(ElbArns.IsWellFormed("arn:aws:elasticloadbalancing:us-east-1:000000000000:loadbalancer/net/demo/50dc6c495c0c9188", ElbResourceKind.LoadBalancer));
        Assert.False(ElbArns.IsWellFormed("arn:aws:elasticloadbalancing:us-east-1:000000000000:targetgroup/x/XYZ", ElbResourceKind.TargetGroup));
        Assert.Equal(ElbResourceKind.Listener, ElbArns.KindOf("arn:aws:elasticloadbalancing:us-east-1:000000000000:listener/app/demo-alb/50dc6c495c0c9188/f2f7dc8efc522ab2"));
        Assert.Null(ElbArns.KindOf("arn:aws:servicediscovery:us-east-1:000000000000:service/srv-1"));
    }

    [Fact]
    public void WireNames_RoundTrip()
    {
        Assert.Equal("fixed-response", WireNames.Of(ActionType.FixedResponse));
        Assert.True(WireNames.TryParse<TargetHealthReason>("Target.Timeout", out var reason));
        Assert.Equal(TargetHealthReason.Timeout, reason);
        Assert.False(WireNames.TryParse<ElbProtocol>("http", out _));
        Assert.Equal(["HTTP1", "HTTP2", "GRPC"], WireNames.All<ProtocolVersion>());
    }

    [Fact]
    public void Targets_AreCanonicalised()
    {
        var tg = new TargetGroupRecord
        {
            Id = "0123456789abcdef", Arn = "a", Name = "n", Protocol = ElbProtocol.Http, Port = 80, TargetType = TargetType.Ip,
            IpAddressType = IpAddressType.Ipv6, CreatedTime = DateTimeOffset.UnixEpoch,
            HealthCheck = new HealthCheckSettings { Protocol = ElbProtocol.Http, IntervalSeconds = 30, TimeoutSeconds = 5, HealthyThresholdCount = 5, UnhealthyThresholdCount = 2 },
        };
        Assert.Equal(new TargetKey("2001:db8::1", 80), Targets.Key(tg, new TargetDescription("2001:0db8:0:0::1")));
    }
}
