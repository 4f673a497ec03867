using Portolan.IntegrationTests.Support;

namespace Portolan.IntegrationTests;

/// <summary>
/// create-{http,private-dns,public-dns}-namespace, update-*-namespace, get-namespace, delete-namespace and
/// get-operation with the real aws CLI, including their errors.
/// </summary>
public sealed class NamespaceTests(CloudMapServer server) : IClassFixture<CloudMapServer>
{
    private const string Account = "000000000000";

    private Sd Sd => server.Sd;

    [Fact]
    public async Task Http_namespace_is_created_read_updated_and_deleted()
    {
        var name = CloudMapServer.Unique("http");

        var created = await Sd.OkAsync("create-http-namespace", "--name", name, "--description", "first", "--tags", "Key=team,Value=core");
        var createOp = (await Sd.OkAsync("get-operation", "--operation-id", created.Str("OperationId"))).GetProperty("Operation");
        Assert.Equal(created.Str("OperationId"), createOp.Str("Id"));
        Assert.Equal("CREATE_NAMESPACE", createOp.Str("Type"));
        Assert.Equal("SUCCESS", createOp.Str("Status"));
        Assert.True(createOp.Time("UpdateDate") >= createOp.Time("CreateDate"));
        var id = createOp.GetProperty("Targets").Str("NAMESPACE");
        Assert.StartsWith("ns-", id, StringComparison.Ordinal);

        var ns = (await Sd.OkAsync("get-namespace", "--id", id)).GetProperty("Namespace");
        Assert.Equal(id, ns.Str("Id"));
        Assert.Equal($"arn:aws:servicediscovery:us-east-1:{Account}:namespace/{id}", ns.Str("Arn"));
        Assert.Equal(name, ns.Str("Name"));
        Assert.Equal("HTTP", ns.Str("Type"));
        Assert.Equal("first", ns.Str("Description"));
        Assert.Equal(0, ns.GetProperty("ServiceCount").GetInt32());
        Assert.Equal(name, ns.GetProperty("Properties").GetProperty("HttpProperties").Str("HttpName"));
        Assert.True(Math.Abs((ns.Time("CreateDate") - DateTimeOffset.UtcNow).TotalHours) < 1, ns.ToString());
        // The CLI fills CreatorRequestId with a UUID the user never typed (WIRE.md §3).
        Assert.True(Guid.TryParse(ns.Str("CreatorRequestId"), out _), ns.ToString());
        var tags = await Sd.OkAsync("list-tags-for-resource", "--resource-arn", ns.Str("Arn"));
        Assert.Equal("core", Assert.Single(tags.GetProperty("Tags").EnumerateArray(), t => t.Str("Key") == "team").Str("Value"));

        var updated = await Sd.OkAsync("update-http-namespace", "--id", id, "--namespace", "Description=second");
        var updateOp = (await Sd.OkAsync("get-operation", "--operation-id", updated.Str("OperationId"))).GetProperty("Operation");
        Assert.Equal("UPDATE_NAMESPACE", updateOp.Str("Type"));
        Assert.Equal("SUCCESS", updateOp.Str("Status"));
        Assert.Equal(id, updateOp.GetProperty("Targets").Str("NAMESPACE"));
        Assert.Equal("second", (await Sd.OkAsync("get-namespace", "--id", id)).GetProperty("Namespace").Str("Description"));

        var deleted = await Sd.OkAsync("delete-namespace", "--id", id);
        var deleteOp = (await Sd.OkAsync("get-operation", "--operation-id", deleted.Str("OperationId"))).GetProperty("Operation");
        Assert.Equal("DELETE_NAMESPACE", deleteOp.Str("Type"));
        Assert.Equal("SUCCESS", deleteOp.Str("Status"));
        Assert.Equal(id, deleteOp.GetProperty("Targets").Str("NAMESPACE"));
        await Sd.FailsAsync("NamespaceNotFound", "GetNamespace", "get-namespace", "--id", id);
    }

    [Fact]
    public async Task Private_dns_namespace_has_a_hosted_zone_and_its_soa_ttl_can_be_updated()
    {
        var name = CloudMapServer.Unique("priv") + ".internal";
        var id = await server.CreatePrivateNamespaceAsync(name, "--properties", "DnsProperties={SOA={TTL=60}}");

        var ns = (await Sd.OkAsync("get-namespace", "--id", id)).GetProperty("Namespace");
        Assert.Equal("DNS_PRIVATE", ns.Str("Type"));
        Assert.Equal(name, ns.Str("Name"));
        var dns = ns.GetProperty("Properties").GetProperty("DnsProperties");
        Assert.False(string.IsNullOrEmpty(dns.Str("HostedZoneId")));
        Assert.Equal(60, dns.GetProperty("SOA").GetProperty("TTL").GetInt64());
        Assert.Equal(name, ns.GetProperty("Properties").GetProperty("HttpProperties").Str("HttpName"));

        var updated = await Sd.OkAsync("update-private-dns-namespace", "--id", id, "--updater-request-id", Guid.NewGuid().ToString(),
            "--namespace", "Description=private zone,Properties={DnsProperties={SOA={TTL=120}}}");
        Assert.False(string.IsNullOrEmpty(updated.Str("OperationId")));

        ns = (await Sd.OkAsync("get-namespace", "--id", id)).GetProperty("Namespace");
        Assert.Equal("private zone", ns.Str("Description"));
        Assert.Equal(120, ns.GetProperty("Properties").GetProperty("DnsProperties").GetProperty("SOA").GetProperty("TTL").GetInt64());

        // The update command must match the namespace's type.
        await Sd.FailsAsync("InvalidInput", "UpdateHttpNamespace", "update-http-namespace", "--id", id, "--namespace", "Description=x");
    }

    [Fact]
    public async Task Public_dns_namespace_is_created_and_updated()
    {
        var name = CloudMapServer.Unique("pub") + ".example.com";
        var id = await server.CreateNamespaceAsync(["create-public-dns-namespace", "--name", name, "--description", "public zone"]);

        var updated = await Sd.OkAsync("update-public-dns-namespace", "--id", id, "--namespace", "Properties={DnsProperties={SOA={TTL=300}}}");
        Assert.False(string.IsNullOrEmpty(updated.Str("OperationId")));

        var ns = (await Sd.OkAsync("get-namespace", "--id", id)).GetProperty("Namespace");
        Assert.Equal("DNS_PUBLIC", ns.Str("Type"));
        Assert.Equal(name, ns.Str("Name"));
        Assert.Equal("public zone", ns.Str("Description"));
        Assert.Equal(300, ns.GetProperty("Properties").GetProperty("DnsProperties").GetProperty("SOA").GetProperty("TTL").GetInt64());
    }

    [Fact]
    public async Task Creating_a_namespace_name_twice_is_NamespaceAlreadyExists()
    {
        var name = CloudMapServer.Unique("twice");
        await Sd.OkAsync("create-http-namespace", "--name", name);

        await Sd.FailsAsync("NamespaceAlreadyExists", "CreateHttpNamespace", "create-http-namespace", "--name", name);
    }

    [Fact]
    public async Task A_retried_create_with_the_same_creator_request_id_is_idempotent_and_reuse_for_another_is_DuplicateRequest()
    {
        var name = CloudMapServer.Unique("retry");
        var requestId = Guid.NewGuid().ToString();

        var first = await Sd.OkAsync("create-http-namespace", "--name", name, "--creator-request-id", requestId);
        var retry = await Sd.OkAsync("create-http-namespace", "--name", name, "--creator-request-id", requestId);
        Assert.Equal(first.Str("OperationId"), retry.Str("OperationId"));

        await Sd.FailsAsync("DuplicateRequest", "CreateHttpNamespace",
            "create-http-namespace", "--name", CloudMapServer.Unique("other"), "--creator-request-id", requestId);

        var listed = await Sd.OkAsync("list-namespaces", "--filters", $"Name=NAME,Values={name},Condition=EQ");
        Assert.Single(listed.GetProperty("Namespaces").EnumerateArray());
    }

    [Fact]
    public async Task Deleting_a_namespace_that_has_services_is_ResourceInUse()
    {
        var id = await server.SeedHttpNamespaceAsync(CloudMapServer.Unique("inuse"));
        var serviceId = await server.SeedServiceAsync(id, "api");
        Assert.Equal(1, (await Sd.OkAsync("get-namespace", "--id", id)).GetProperty("Namespace").GetProperty("ServiceCount").GetInt32());

        await Sd.FailsAsync("ResourceInUse", "DeleteNamespace", "delete-namespace", "--id", id);

        await Sd.OkAsync("delete-service", "--id", serviceId);
        await Sd.OkAsync("delete-namespace", "--id", id);
        await Sd.FailsAsync("NamespaceNotFound", "GetNamespace", "get-namespace", "--id", id);
    }

    [Fact]
    public async Task Unknown_namespaces_are_NamespaceNotFound()
    {
        await Sd.FailsAsync("NamespaceNotFound", "GetNamespace", "get-namespace", "--id", "ns-doesnotexist0000");
        await Sd.FailsAsync("NamespaceNotFound", "DeleteNamespace", "delete-namespace", "--id", "ns-doesnotexist0000");
        await Sd.FailsAsync("NamespaceNotFound", "UpdatePrivateDnsNamespace",
            "update-private-dns-namespace", "--id", "ns-doesnotexist0000", "--namespace", "Description=x");
    }

    [Fact]
    public async Task Invalid_names_and_too_many_tags_are_rejected()
    {
        await Sd.FailsAsync("InvalidInput", "CreatePrivateDnsNamespace",
            "create-private-dns-namespace", "--name", "not a dns name!", "--vpc", "vpc-1");

        var tags = Enumerable.Range(0, 51).Select(i => $"Key=k{i},Value=v{i}").ToArray();
        await Sd.FailsAsync("TooManyTagsException", "CreateHttpNamespace",
            ["create-http-namespace", "--name", CloudMapServer.Unique("tags"), "--tags", .. tags]);
    }
}
