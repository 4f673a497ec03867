using Portolan.IntegrationTests.Support;

namespace Portolan.IntegrationTests;

/// <summary>get-operation and list-operations (every filter, paging) with the real aws CLI.</summary>
public sealed class OperationTests(CloudMapServer server) : IClassFixture<CloudMapServer>
{
    private Sd Sd => server.Sd;

    [Fact]
    public async Task List_operations_filters_by_service_type_status_namespace_and_date_and_pages()
    {
        // Seeded without the CLI (each call of those is tested elsewhere): one operation of each kind the test filters on.
        var createOp = (await server.SeedAsync("CreateHttpNamespace", new { Name = CloudMapServer.Unique("ops") })).Str("OperationId");
        var nsId = (await server.SeedAsync("GetOperation", new { OperationId = createOp })).GetProperty("Operation").GetProperty("Targets").Str("NAMESPACE");
        var serviceId = await server.SeedServiceAsync(nsId, "worker");
        var registers = new List<string>();
        foreach (var id in new[] { "i-1", "i-2", "i-3" })
        {
            registers.Add(await server.SeedInstanceAsync(serviceId, id, "v=1"));
        }
        var deregister = (await server.SeedAsync("DeregisterInstance", new { ServiceId = serviceId, InstanceId = "i-2" })).Str("OperationId");
        var update = (await server.SeedAsync("UpdateService", new { Id = serviceId, Service = new { Description = "updated" } })).Str("OperationId");
        string[] ofService = [.. registers, deregister, update];
        var byService = $"Name=SERVICE_ID,Values={serviceId},Condition=EQ";

        // Page size 1: the CLI follows five NextTokens and must collect each operation once.
        var all = await Sd.OkAsync("list-operations", "--filters", byService, "--page-size", "1");
        Assert.Equal(Sorted(ofService), Sorted(all.Column("Operations", "Id")));
        Assert.All(all.GetProperty("Operations").EnumerateArray(), o => Assert.Equal("SUCCESS", o.Str("Status")));

        var first = await Sd.OkAsync("list-operations", "--filters", byService, "--page-size", "1", "--max-items", "2");
        var rest = await Sd.OkAsync("list-operations", "--filters", byService, "--page-size", "1", "--starting-token", first.Str("NextToken"));
        Assert.Equal(2, first.GetProperty("Operations").GetArrayLength());
        Assert.Equal(Sorted(ofService), Sorted([.. first.Column("Operations", "Id"), .. rest.Column("Operations", "Id")]));

        var registersOnly = await Sd.OkAsync("list-operations", "--filters", byService, "Name=TYPE,Values=REGISTER_INSTANCE,Condition=IN");
        Assert.Equal(Sorted(registers), Sorted(registersOnly.Column("Operations", "Id")));

        var instanceOps = await Sd.OkAsync("list-operations", "--filters", byService,
            "Name=TYPE,Values=REGISTER_INSTANCE,DEREGISTER_INSTANCE,Condition=IN", "Name=STATUS,Values=SUCCESS,Condition=EQ");
        Assert.Equal(Sorted([.. registers, deregister]), Sorted(instanceOps.Column("Operations", "Id")));

        var failed = await Sd.OkAsync("list-operations", "--filters", byService, "Name=STATUS,Values=FAIL,PENDING,Condition=IN");
        Assert.Empty(failed.GetProperty("Operations").EnumerateArray());

        // Instance operations target their namespace too; UPDATE_SERVICE targets only the service.
        var ofNamespace = await Sd.OkAsync("list-operations", "--filters", $"Name=NAMESPACE_ID,Values={nsId},Condition=EQ");
        Assert.Equal(Sorted([createOp, .. registers, deregister]), Sorted(ofNamespace.Column("Operations", "Id")));

        // UPDATE_DATE BETWEEN takes epoch seconds, start first. A generous window: the test asserts behaviour, not timing.
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var recent = await Sd.OkAsync("list-operations", "--filters", byService, $"Name=UPDATE_DATE,Values={now - 3600},{now + 3600},Condition=BETWEEN");
        Assert.Equal(Sorted(ofService), Sorted(recent.Column("Operations", "Id")));
        var longAgo = await Sd.OkAsync("list-operations", "--filters", byService, "Name=UPDATE_DATE,Values=978307200,1009843200,Condition=BETWEEN");
        Assert.Empty(longAgo.GetProperty("Operations").EnumerateArray());

        await Sd.FailsAsync("InvalidInput", "ListOperations", "list-operations", "--filters", $"Name=SERVICE_ID,Values={serviceId},Condition=BETWEEN");
    }

    [Fact]
    public async Task Get_operation_reports_an_unknown_id_as_OperationNotFound()
    {
        await Sd.FailsAsync("OperationNotFound", "GetOperation", "get-operation", "--operation-id", "abcdefghijklmnopqrstuvwxyz234567-abcdefgh");
    }

    private static string[] Sorted(IEnumerable<string> ids) => ids.Order(StringComparer.Ordinal).ToArray();
}
