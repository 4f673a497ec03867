using Portolan.IntegrationTests.Support;

namespace Portolan.IntegrationTests;

/// <summary>
/// list-namespaces, list-services and list-instances with the real aws CLI: filters, and paging where the CLI
/// follows NextToken (<c>--page-size</c>) or stops and resumes (<c>--max-items</c>, <c>--starting-token</c>).
/// Every item must come back exactly once.
/// </summary>
public sealed class ListTests(CloudMapServer server) : IClassFixture<CloudMapServer>
{
    private Sd Sd => server.Sd;

    [Fact]
    public async Task List_namespaces_filters_by_type_and_name_and_pages()
    {
        var prefix = CloudMapServer.Unique("lst");
        string[] names = [$"{prefix}-http", $"{prefix}-priv", $"{prefix}-pub.example.com"];
        await server.SeedAsync("CreateHttpNamespace", new { Name = names[0] });
        await server.SeedAsync("CreatePrivateDnsNamespace", new { Name = names[1], Vpc = "vpc-1" });
        await server.SeedAsync("CreatePublicDnsNamespace", new { Name = names[2] });
        var byPrefix = $"Name=NAME,Values={prefix},Condition=BEGINS_WITH";

        // --page-size 1: three requests, the CLI follows NextToken and prints one merged list.
        var all = await Sd.OkAsync("list-namespaces", "--filters", byPrefix, "--page-size", "1");
        Assert.Equal(names, all.Column("Namespaces", "Name").Order(StringComparer.Ordinal));
        Assert.Null(all.OptStr("NextToken"));

        // --max-items 2 stops after two with the CLI's own NextToken; --starting-token resumes.
        var first = await Sd.OkAsync("list-namespaces", "--filters", byPrefix, "--page-size", "1", "--max-items", "2");
        var rest = await Sd.OkAsync("list-namespaces", "--filters", byPrefix, "--page-size", "1", "--starting-token", first.Str("NextToken"));
        Assert.Equal(2, first.GetProperty("Namespaces").GetArrayLength());
        Assert.Equal(names, first.Column("Namespaces", "Name").Concat(rest.Column("Namespaces", "Name")).Order(StringComparer.Ordinal));

        var privateOnly = await Sd.OkAsync("list-namespaces", "--filters", "Name=TYPE,Values=DNS_PRIVATE,Condition=EQ");
        Assert.All(privateOnly.GetProperty("Namespaces").EnumerateArray(), n => Assert.Equal("DNS_PRIVATE", n.Str("Type")));
        Assert.Contains(names[1], privateOnly.Column("Namespaces", "Name"));

        var httpOrPublic = await Sd.OkAsync("list-namespaces", "--filters", "Name=TYPE,Values=HTTP,DNS_PUBLIC,Condition=IN", byPrefix);
        Assert.Equal([names[0], names[2]], httpOrPublic.Column("Namespaces", "Name").Order(StringComparer.Ordinal));

        var byHttpName = await Sd.OkAsync("list-namespaces", "--filters", $"Name=HTTP_NAME,Values={names[1]},Condition=EQ");
        var summary = Assert.Single(byHttpName.GetProperty("Namespaces").EnumerateArray());
        Assert.Equal("DNS_PRIVATE", summary.Str("Type"));
        Assert.StartsWith("ns-", summary.Str("Id"), StringComparison.Ordinal);
        Assert.False(summary.TryGetProperty("CreatorRequestId", out _), "NamespaceSummary has no CreatorRequestId");

        await Sd.FailsAsync("InvalidInput", "ListNamespaces", "list-namespaces", "--filters", "Name=TYPE,Values=HTTP,Condition=BETWEEN");
    }

    [Fact]
    public async Task List_services_filters_by_namespace_and_pages()
    {
        var ns1 = await server.SeedHttpNamespaceAsync(CloudMapServer.Unique("ls1"));
        var ns2 = await server.SeedHttpNamespaceAsync(CloudMapServer.Unique("ls2"));
        var inNs1 = new List<string>();
        foreach (var name in new[] { "alpha", "beta", "gamma" })
        {
            inNs1.Add(await server.SeedServiceAsync(ns1, name));
        }
        var inNs2 = await server.SeedServiceAsync(ns2, "alpha");
        inNs1.Sort(StringComparer.Ordinal);

        var filtered = await Sd.OkAsync("list-services", "--filters", $"Name=NAMESPACE_ID,Values={ns1},Condition=EQ", "--page-size", "1");
        Assert.Equal(inNs1, filtered.Column("Services", "Id").Order(StringComparer.Ordinal));
        var summary = filtered.GetProperty("Services")[0];
        Assert.Equal("HTTP", summary.Str("Type"));
        Assert.Equal(0, summary.GetProperty("InstanceCount").GetInt32());
        Assert.StartsWith("arn:aws:servicediscovery:us-east-1:000000000000:service/srv-", summary.Str("Arn"), StringComparison.Ordinal);

        var first = await Sd.OkAsync("list-services", "--filters", $"Name=NAMESPACE_ID,Values={ns1}", "--page-size", "1", "--max-items", "2");
        var rest = await Sd.OkAsync("list-services", "--filters", $"Name=NAMESPACE_ID,Values={ns1}", "--page-size", "1", "--starting-token", first.Str("NextToken"));
        Assert.Equal(2, first.GetProperty("Services").GetArrayLength());
        Assert.Equal(inNs1, first.Column("Services", "Id").Concat(rest.Column("Services", "Id")).Order(StringComparer.Ordinal));

        // No filter: every service of the server, ours among them, none twice.
        var everything = (await Sd.OkAsync("list-services", "--page-size", "2")).Column("Services", "Id");
        Assert.Equal(everything.Count, everything.Distinct().Count());
        Assert.Subset(everything.ToHashSet(), new HashSet<string>([.. inNs1, inNs2]));
    }

    [Fact]
    public async Task List_instances_pages()
    {
        var nsId = await server.SeedHttpNamespaceAsync(CloudMapServer.Unique("li"));
        var serviceId = await server.SeedServiceAsync(nsId, "many");
        string[] ids = ["i-1", "i-2", "i-3", "i-4", "i-5"];
        foreach (var id in ids)
        {
            await server.SeedInstanceAsync(serviceId, id, $"n={id}");
        }

        var all = await Sd.OkAsync("list-instances", "--service-id", serviceId, "--page-size", "2");
        Assert.Equal(ids, all.Column("Instances", "Id").Order(StringComparer.Ordinal));
        Assert.All(all.GetProperty("Instances").EnumerateArray(), i => Assert.Equal(i.Str("Id"), i.Map("Attributes")["n"]));

        var first = await Sd.OkAsync("list-instances", "--service-id", serviceId, "--page-size", "2", "--max-items", "3");
        var rest = await Sd.OkAsync("list-instances", "--service-id", serviceId, "--page-size", "2", "--starting-token", first.Str("NextToken"));
        Assert.Equal(3, first.GetProperty("Instances").GetArrayLength());
        Assert.Equal(ids, first.Column("Instances", "Id").Concat(rest.Column("Instances", "Id")).Order(StringComparer.Ordinal));
    }
}
