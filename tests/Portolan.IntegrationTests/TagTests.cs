using Portolan.IntegrationTests.Support;

namespace Portolan.IntegrationTests;

/// <summary>tag-resource, untag-resource and list-tags-for-resource on namespaces and services with the real aws CLI.</summary>
public sealed class TagTests(CloudMapServer server) : IClassFixture<CloudMapServer>
{
    private Sd Sd => server.Sd;

    private async Task<Dictionary<string, string>> TagsAsync(string arn) =>
        (await Sd.OkAsync("list-tags-for-resource", "--resource-arn", arn)).GetProperty("Tags").EnumerateArray()
            .ToDictionary(t => t.Str("Key"), t => t.Str("Value"), StringComparer.Ordinal);

    [Fact]
    public async Task Namespace_tags_are_added_replaced_and_removed()
    {
        var nsId = await server.CreateHttpNamespaceAsync(CloudMapServer.Unique("tags"), "--tags", "Key=owner,Value=platform");
        var arn = (await Sd.OkAsync("get-namespace", "--id", nsId)).GetProperty("Namespace").Str("Arn");

        var tagged = await Sd.RunAsync("tag-resource", "--resource-arn", arn, "--tags", "Key=env,Value=test", "Key=team,Value=core");
        Assert.True(tagged.ExitCode == 0, tagged.ToString());
        Assert.Equal("", tagged.StdOut.Trim());
        Assert.Equal(new Dictionary<string, string> { ["env"] = "test", ["owner"] = "platform", ["team"] = "core" }, await TagsAsync(arn));

        await Sd.OkAsync("tag-resource", "--resource-arn", arn, "--tags", "Key=env,Value=prod");
        var untagged = await Sd.RunAsync("untag-resource", "--resource-arn", arn, "--tag-keys", "team", "not-there");
        Assert.True(untagged.ExitCode == 0, untagged.ToString());
        Assert.Equal("", untagged.StdOut.Trim());
        Assert.Equal(new Dictionary<string, string> { ["env"] = "prod", ["owner"] = "platform" }, await TagsAsync(arn));
    }

    [Fact]
    public async Task Service_tags_are_added_and_listed()
    {
        var nsId = await server.SeedHttpNamespaceAsync(CloudMapServer.Unique("svctags"));
        var service = await server.CreateServiceAsync("api", "--namespace-id", nsId, "--tags", "Key=tier,Value=web");
        var arn = service.Str("Arn");

        await Sd.OkAsync("tag-resource", "--resource-arn", arn, "--tags", "Key=version,Value=2");

        Assert.Equal(new Dictionary<string, string> { ["tier"] = "web", ["version"] = "2" }, await TagsAsync(arn));
    }

    [Fact]
    public async Task Unknown_resources_are_ResourceNotFoundException()
    {
        const string missingNamespace = "arn:aws:servicediscovery:us-east-1:000000000000:namespace/ns-doesnotexist0000";
        const string missingService = "arn:aws:servicediscovery:us-east-1:000000000000:service/srv-doesnotexist000";

        await Sd.FailsAsync("ResourceNotFoundException", "ListTagsForResource", "list-tags-for-resource", "--resource-arn", missingNamespace);
        await Sd.FailsAsync("ResourceNotFoundException", "TagResource", "tag-resource", "--resource-arn", missingService, "--tags", "Key=a,Value=b");
        await Sd.FailsAsync("ResourceNotFoundException", "UntagResource", "untag-resource", "--resource-arn", missingService, "--tag-keys", "a");
    }

    [Fact]
    public async Task More_than_50_tags_is_TooManyTagsException_and_reserved_keys_are_InvalidInput()
    {
        var nsId = await server.SeedHttpNamespaceAsync(CloudMapServer.Unique("many"));
        var arn = $"arn:aws:servicediscovery:us-east-1:000000000000:namespace/{nsId}";
        var fifty = Enumerable.Range(0, 50).Select(i => $"Key=k{i},Value=v{i}").ToArray();
        await Sd.OkAsync(["tag-resource", "--resource-arn", arn, "--tags", .. fifty]);

        await Sd.FailsAsync("TooManyTagsException", "TagResource", "tag-resource", "--resource-arn", arn, "--tags", "Key=one-more,Value=x");
        await Sd.FailsAsync("InvalidInput", "TagResource", "tag-resource", "--resource-arn", arn, "--tags", "Key=aws:reserved,Value=x");
        Assert.Equal(50, (await TagsAsync(arn)).Count);
    }
}
