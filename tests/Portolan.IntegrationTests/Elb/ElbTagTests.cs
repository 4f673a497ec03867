using System.Text.Json;
using Portolan.IntegrationTests.Support;

namespace Portolan.IntegrationTests.Elb;

/// <summary>add-tags, remove-tags and describe-tags on every kind of ELB resource with the real aws CLI.</summary>
public sealed class ElbTagTests(ElbServer server) : IClassFixture<ElbServer>
{
    private Elb Elb => server.Elb;

    private static Dictionary<string, Dictionary<string, string>> Tags(JsonElement output) =>
        output.GetProperty("TagDescriptions").EnumerateArray().ToDictionary(d => d.Str("ResourceArn"),
            d => d.GetProperty("Tags").EnumerateArray().ToDictionary(t => t.Str("Key"), t => t.Str("Value"), StringComparer.Ordinal), StringComparer.Ordinal);

    [Fact]
    public async Task Tags_are_added_replaced_removed_and_described_across_resource_kinds()
    {
        var (lb, tg, listener) = await server.SeedStackAsync("tags");
        var rule = (await Elb.OkAsync("create-rule", "--listener-arn", listener, "--priority", "1", "--conditions", "Field=path-pattern,Values=/t",
            "--actions", $"Type=forward,TargetGroupArn={tg}", "--tags", "Key=kind,Value=rule")).GetProperty("Rules")[0].Str("RuleArn");

        var added = await Elb.RunAsync("add-tags", "--resource-arns", lb, tg, listener, rule, "--tags", "Key=env,Value=test", "Key=team,Value=core");
        Assert.True(added.ExitCode == 0, added.ToString());
        Assert.Equal("", added.StdOut.Trim());
        await Elb.OkAsync("add-tags", "--resource-arns", lb, "--tags", "Key=env,Value=prod");
        var removed = await Elb.RunAsync("remove-tags", "--resource-arns", tg, rule, "--tag-keys", "team", "not-there");
        Assert.True(removed.ExitCode == 0, removed.ToString());

        var tags = Tags(await Elb.OkAsync("describe-tags", "--resource-arns", lb, tg, listener, rule));
        Assert.Equal(new Dictionary<string, string> { ["env"] = "prod", ["team"] = "core" }, tags[lb]);
        Assert.Equal(new Dictionary<string, string> { ["env"] = "test" }, tags[tg]);
        Assert.Equal(new Dictionary<string, string> { ["env"] = "test", ["team"] = "core" }, tags[listener]);
        Assert.Equal(new Dictionary<string, string> { ["env"] = "test", ["kind"] = "rule" }, tags[rule]);

        // Tags given at creation are there too.
        var name = ElbServer.Unique("tagged");
        var created = (await Elb.OkAsync("create-target-group", "--name", name, "--protocol", "HTTP", "--port", "80", "--tags", "Key=a,Value=1")).GetProperty("TargetGroups")[0].Str("TargetGroupArn");
        Assert.Equal(new Dictionary<string, string> { ["a"] = "1" }, Tags(await Elb.OkAsync("describe-tags", "--resource-arns", created))[created]);
    }

    [Fact]
    public async Task Tag_errors_are_elbs()
    {
        var tg = await server.SeedTargetGroupAsync(ElbServer.Unique("tagerr"));
        await Elb.FailsAsync("DuplicateTagKeys", "AddTags", "add-tags", "--resource-arns", tg, "--tags", "Key=a,Value=1", "Key=a,Value=2");
        await Elb.FailsAsync("ValidationError", "AddTags", "add-tags", "--resource-arns", tg, "--tags", "Key=aws:reserved,Value=1");
        var fifty = Enumerable.Range(0, 50).Select(i => $"Key=k{i},Value=v").ToArray();
        await Elb.OkAsync(["add-tags", "--resource-arns", tg, "--tags", .. fifty]);
        await Elb.FailsAsync("TooManyTags", "AddTags", "add-tags", "--resource-arns", tg, "--tags", "Key=one-more,Value=v");

        var missing = tg.Replace(LoadBalancerTests.ElbArnId(tg), "0123456789abcdef", StringComparison.Ordinal);
        await Elb.FailsAsync("TargetGroupNotFound", "DescribeTags", "describe-tags", "--resource-arns", missing);
        await Elb.FailsAsync("LoadBalancerNotFound", "AddTags", "add-tags", "--resource-arns",
            "arn:aws:elasticloadbalancing:us-east-1:000000000000:loadbalancer/app/gone/0123456789abcdef", "--tags", "Key=a,Value=1");
        await Elb.FailsAsync("ListenerNotFound", "RemoveTags", "remove-tags", "--resource-arns",
            "arn:aws:elasticloadbalancing:us-east-1:000000000000:listener/app/gone/0123456789abcdef/0123456789abcdef", "--tag-keys", "a");
        await Elb.FailsAsync("RuleNotFound", "DescribeTags", "describe-tags", "--resource-arns",
            "arn:aws:elasticloadbalancing:us-east-1:000000000000:listener-rule/app/gone/0123456789abcdef/0123456789abcdef/0123456789abcdef");
        await Elb.FailsAsync("ValidationError", "DescribeTags", "describe-tags", "--resource-arns", "arn:aws:s3:::bucket");
    }
}
