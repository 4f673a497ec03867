using System.Text.Json;
using Portolan.IntegrationTests.Support;

namespace Portolan.IntegrationTests.Elb;

/// <summary>create-rule, describe-rules, modify-rule, set-rule-priorities and delete-rule with the real aws CLI.</summary>
public sealed class RuleTests(ElbServer server) : IClassFixture<ElbServer>
{
    private Elb Elb => server.Elb;

    private static JsonElement First(JsonElement output) => output.GetProperty("Rules").EnumerateArray().Single();

    private static List<string> Priorities(JsonElement output) =>
        output.GetProperty("Rules").EnumerateArray().Select(r => $"{r.Str("Priority")}:{r.GetProperty("IsDefault").GetBoolean()}").ToList();

    [Fact]
    public async Task Rules_from_the_captured_commands_are_created_listed_by_priority_and_reordered()
    {
        var (_, tg, listener) = await server.SeedStackAsync("rules");

        var ten = First(await Elb.OkAsync("create-rule", "--listener-arn", listener, "--priority", "10",
            "--conditions", "Field=path-pattern,PathPatternConfig={Values=[/api/*,/v2/*]}", "--actions", $"Type=forward,TargetGroupArn={tg}"));
        Assert.Matches($"^{listener.Replace(":listener/", ":listener-rule/", StringComparison.Ordinal)}/[0-9a-f]{{16}}$", ten.Str("RuleArn"));
        Assert.Equal("10", ten.Str("Priority"));
        Assert.False(ten.GetProperty("IsDefault").GetBoolean());
        var condition = ten.GetProperty("Conditions").EnumerateArray().Single();
        Assert.Equal("path-pattern", condition.Str("Field"));
        Assert.Equal(["/api/*", "/v2/*"], condition.GetProperty("PathPatternConfig").GetProperty("Values").EnumerateArray().Select(v => v.GetString()));
        Assert.Equal(["/api/*", "/v2/*"], condition.GetProperty("Values").EnumerateArray().Select(v => v.GetString()));
        Assert.Equal(tg, ten.GetProperty("Actions")[0].Str("TargetGroupArn"));

        // The legacy Values form is the same condition.
        var twenty = First(await Elb.OkAsync("create-rule", "--listener-arn", listener, "--priority", "20",
            "--conditions", "Field=path-pattern,Values=/legacy/*", "--actions", $"Type=forward,TargetGroupArn={tg}"));
        Assert.Equal(["/legacy/*"], twenty.GetProperty("Conditions")[0].GetProperty("PathPatternConfig").GetProperty("Values").EnumerateArray().Select(v => v.GetString()));

        var listed = await Elb.OkAsync("describe-rules", "--listener-arn", listener);
        Assert.Equal(["10:False", "20:False", "default:True"], Priorities(listed));
        var defaultRule = listed.GetProperty("Rules")[2];
        Assert.Equal(0, defaultRule.GetProperty("Conditions").GetArrayLength());
        Assert.Equal(tg, defaultRule.GetProperty("Actions")[0].Str("TargetGroupArn"));

        var page = await Elb.OkAsync("describe-rules", "--listener-arn", listener, "--page-size", "2");
        Assert.Equal(["10:False", "20:False"], Priorities(page));
        Assert.Equal(["default:True"], Priorities(await Elb.OkAsync("describe-rules", "--listener-arn", listener, "--page-size", "2", "--marker", page.Str("NextMarker"))));

        var swapped = await Elb.OkAsync("set-rule-priorities", "--rule-priorities",
            $"RuleArn={ten.Str("RuleArn")},Priority=20", $"RuleArn={twenty.Str("RuleArn")},Priority=10");
        Assert.Equal(2, swapped.GetProperty("Rules").GetArrayLength());
        var reordered = await Elb.OkAsync("describe-rules", "--rule-arns", ten.Str("RuleArn"), twenty.Str("RuleArn"), defaultRule.Str("RuleArn"));
        Assert.Equal([twenty.Str("RuleArn"), ten.Str("RuleArn"), defaultRule.Str("RuleArn")], reordered.Column("Rules", "RuleArn"));

        await Elb.FailsAsync("PriorityInUse", "CreateRule", "create-rule", "--listener-arn", listener, "--priority", "10",
            "--conditions", "Field=host-header,Values=a.example.com", "--actions", $"Type=forward,TargetGroupArn={tg}");
        await Elb.FailsAsync("PriorityInUse", "SetRulePriorities", "set-rule-priorities", "--rule-priorities", $"RuleArn={ten.Str("RuleArn")},Priority=10");
        await Elb.FailsAsync("OperationNotPermitted", "SetRulePriorities", "set-rule-priorities", "--rule-priorities", $"RuleArn={defaultRule.Str("RuleArn")},Priority=1");
        await Elb.FailsAsync("OperationNotPermitted", "DeleteRule", "delete-rule", "--rule-arn", defaultRule.Str("RuleArn"));

        var deleted = await Elb.RunAsync("delete-rule", "--rule-arn", ten.Str("RuleArn"));
        Assert.True(deleted.ExitCode == 0, deleted.ToString());
        await Elb.FailsAsync("RuleNotFound", "DeleteRule", "delete-rule", "--rule-arn", ten.Str("RuleArn"));
        await Elb.FailsAsync("RuleNotFound", "DescribeRules", "describe-rules", "--rule-arns", ten.Str("RuleArn"));
        Assert.Equal(["10:False", "default:True"], Priorities(await Elb.OkAsync("describe-rules", "--listener-arn", listener)));
    }

    [Fact]
    public async Task Every_condition_and_action_kind_round_trips()
    {
        var (_, tg, listener) = await server.SeedStackAsync("kinds");
        var canary = await server.SeedTargetGroupAsync(ElbServer.Unique("canary"));
        var json = JsonSerializer.Serialize(new object[]
        {
            new { Field = "host-header", HostHeaderConfig = new { Values = new[] { "*.example.com" } } },
            new { Field = "http-header", HttpHeaderConfig = new { HttpHeaderName = "X-Canary", Values = new[] { "on" } } },
            new { Field = "query-string", QueryStringConfig = new { Values = new object[] { new { Value = "x*" } } } },
            new { Field = "http-request-method", HttpRequestMethodConfig = new { Values = new[] { "GET" } } },
            new { Field = "source-ip", SourceIpConfig = new { Values = new[] { "127.0.0.0/8" } } },
        });
        var rule = First(await Elb.OkAsync("create-rule", "--listener-arn", listener, "--priority", "5", "--conditions", json,
            "--actions", $"Type=forward,ForwardConfig={{TargetGroups=[{{TargetGroupArn={tg},Weight=90}},{{TargetGroupArn={canary},Weight=10}}]}}"));
        var conditions = rule.GetProperty("Conditions").EnumerateArray().ToDictionary(c => c.Str("Field"));
        Assert.Equal("*.example.com", conditions["host-header"].GetProperty("HostHeaderConfig").GetProperty("Values")[0].GetString());
        Assert.Equal("X-Canary", conditions["http-header"].GetProperty("HttpHeaderConfig").Str("HttpHeaderName"));
        var pairs = conditions["query-string"].GetProperty("QueryStringConfig").GetProperty("Values").EnumerateArray().Select(p => $"{p.OptStr("Key")}={p.Str("Value")}");
        Assert.Equal(["=x*"], pairs);
        Assert.Equal("GET", conditions["http-request-method"].GetProperty("HttpRequestMethodConfig").GetProperty("Values")[0].GetString());
        Assert.Equal("127.0.0.0/8", conditions["source-ip"].GetProperty("SourceIpConfig").GetProperty("Values")[0].GetString());
        Assert.Equal(2, rule.GetProperty("Actions")[0].GetProperty("ForwardConfig").GetProperty("TargetGroups").GetArrayLength());

        var redirect = First(await Elb.OkAsync("modify-rule", "--rule-arn", rule.Str("RuleArn"),
            "--actions", "Type=redirect,RedirectConfig={Protocol=HTTPS,Port=443,StatusCode=HTTP_301}"));
        var config = redirect.GetProperty("Actions")[0].GetProperty("RedirectConfig");
        Assert.Equal(("HTTPS", "443", "#{host}", "/#{path}", "#{query}", "HTTP_301"),
            (config.Str("Protocol"), config.Str("Port"), config.Str("Host"), config.Str("Path"), config.Str("Query"), config.Str("StatusCode")));
        Assert.Equal(5, redirect.GetProperty("Conditions").GetArrayLength());

        var narrowed = First(await Elb.OkAsync("modify-rule", "--rule-arn", rule.Str("RuleArn"), "--conditions", "Field=path-pattern,Values=/only"));
        Assert.Equal(["path-pattern"], narrowed.GetProperty("Conditions").EnumerateArray().Select(c => c.Str("Field")));

        // The default rule takes new actions (they are the listener's default actions) but no conditions.
        var defaultArn = (await Elb.OkAsync("describe-rules", "--listener-arn", listener)).GetProperty("Rules").EnumerateArray().Single(r => r.GetProperty("IsDefault").GetBoolean()).Str("RuleArn");
        var modifiedDefault = First(await Elb.OkAsync("modify-rule", "--rule-arn", defaultArn,
            "--actions", "Type=fixed-response,FixedResponseConfig={StatusCode=404,ContentType=application/json,MessageBody=missing}"));
        Assert.Equal("default", modifiedDefault.Str("Priority"));
        var listenerAction = (await Elb.OkAsync("describe-listeners", "--listener-arns", listener)).GetProperty("Listeners")[0].GetProperty("DefaultActions")[0];
        Assert.Equal("fixed-response", listenerAction.Str("Type"));
        await Elb.FailsAsync("OperationNotPermitted", "ModifyRule", "modify-rule", "--rule-arn", defaultArn, "--conditions", "Field=path-pattern,Values=/x");
    }

    [Fact]
    public async Task Bad_rules_are_rejected_and_change_nothing()
    {
        var (_, tg, listener) = await server.SeedStackAsync("badrule");
        string[] Create(string conditions) =>
            ["create-rule", "--listener-arn", listener, "--priority", "7", "--conditions", conditions, "--actions", $"Type=forward,TargetGroupArn={tg}"];

        await Elb.FailsAsync("ValidationError", "CreateRule", Create("Field=path-pattern,Values=/a,/b,/c,/d"));
        await Elb.FailsAsync("ValidationError", "CreateRule", Create("Field=cookie,Values=a"));
        await Elb.FailsAsync("ValidationError", "CreateRule", Create("Field=source-ip,SourceIpConfig={Values=[not-a-cidr]}"));
        await Elb.FailsAsync("ValidationError", "CreateRule", Create("Field=http-request-method,Values=GET"));
        await Elb.FailsAsync("ValidationError", "CreateRule", Create("Field=path-pattern,Values=/a,PathPatternConfig={Values=[/b]}"));
        await Elb.FailsAsync("ValidationError", "CreateRule", ["create-rule", "--listener-arn", listener, "--priority", "8", "--conditions", "Field=path-pattern,Values=/a",
            "--actions", "Type=fixed-response,FixedResponseConfig={StatusCode=301}"]);
        var missing = listener.Replace(LoadBalancerTests.ElbArnId(listener), "0123456789abcdef", StringComparison.Ordinal);
        await Elb.FailsAsync("ListenerNotFound", "CreateRule", ["create-rule", "--listener-arn", missing, "--priority", "9", "--conditions", "Field=path-pattern,Values=/a",
            "--actions", $"Type=forward,TargetGroupArn={tg}"]);
        await Elb.FailsAsync("ListenerNotFound", "DescribeRules", "describe-rules", "--listener-arn", missing);
        await Elb.FailsAsync("ValidationError", "DescribeRules", "describe-rules");
        Assert.Equal(["default:True"], Priorities(await Elb.OkAsync("describe-rules", "--listener-arn", listener)));
    }
}
