using Portolan.Dns.Tests.Support;
using Portolan.Testing;

namespace Portolan.Dns.Tests.Server;

/// <summary>
/// Registry changes made the way users make them — Debian's aws CLI against the API port — reach dig's answers:
/// a new namespace becomes a zone, registered instances appear in A and SRV (with glue) and under their own
/// names, custom health takes them out and back, deregistration removes every record. Behaviour only: how fast
/// is measured by bench/dns (see BENCHMARKS.md), never asserted here.
/// </summary>
[Collection(DnsHostCollection.Name)]
public sealed class ApiChangeTests(DnsHost host)
{
    private const string Zone = "cli.test";
    private const string Service = "web.cli.test";

    [Fact]
    public async Task AwsCliChanges_ReachDigAnswers()
    {
        var aws = new AwsCli(host.Host.ApiUri);
        async Task<string> Sd(params string[] args) =>
            (await aws.RunAsync(["servicediscovery", .. args, "--output", "text", "--query", args[0] switch
            {
                "create-private-dns-namespace" => "OperationId",
                "get-operation" => "Operation.Targets.NAMESPACE",
                "create-service" => "Service.Id",
                _ => "@",
            }])).EnsureSuccess().StdOut.Trim();

        var operation = await Sd("create-private-dns-namespace", "--name", Zone, "--vpc", "vpc-1");
        var ns = await Sd("get-operation", "--operation-id", operation);
        await EventuallyAsync(async () => (await DigAsync(Zone, "SOA")).Data("SOA").Any(), "the new namespace answers as a zone");

        var svc = await Sd("create-service", "--name", "web", "--health-check-custom-config", "FailureThreshold=1",
            "--dns-config", $"NamespaceId={ns},RoutingPolicy=MULTIVALUE,DnsRecords=[{{Type=A,TTL=30}},{{Type=SRV,TTL=30}}]");
        await EventuallyAsync(async () => await DigAsync(Service, "A") is { Status: "NOERROR", Answer.Count: 0 }, "a service without instances is NODATA");

        await Sd("register-instance", "--service-id", svc, "--instance-id", "i-1", "--attributes", "AWS_INSTANCE_IPV4=10.3.0.1,AWS_INSTANCE_PORT=81");
        await Sd("register-instance", "--service-id", svc, "--instance-id", "i-2", "--attributes", "AWS_INSTANCE_IPV4=10.3.0.2,AWS_INSTANCE_PORT=82");
        await EventuallyAsync(async () => await AddressesAsync() == "10.3.0.1,10.3.0.2", "registered instances appear");
        var srv = await DigAsync(Service, "SRV");
        Assert.Equal(["1 1 81 i-1.web.cli.test.", "1 1 82 i-2.web.cli.test."], srv.Data("SRV").Order());
        Assert.Equal(["10.3.0.1", "10.3.0.2"], srv.Additional.Where(a => a.Type == "A").Select(a => a.Data).Order());
        Assert.Equal(["10.3.0.1"], (await DigAsync("i-1.web.cli.test", "A")).Data("A"));

        await Sd("update-instance-custom-health-status", "--service-id", svc, "--instance-id", "i-1", "--status", "UNHEALTHY");
        await EventuallyAsync(async () => await AddressesAsync() == "10.3.0.2", "an unhealthy instance leaves the A answer");
        Assert.Equal(["1 1 82 i-2.web.cli.test."], (await DigAsync(Service, "SRV")).Data("SRV"));

        await Sd("update-instance-custom-health-status", "--service-id", svc, "--instance-id", "i-1", "--status", "HEALTHY");
        await EventuallyAsync(async () => await AddressesAsync() == "10.3.0.1,10.3.0.2", "a healthy instance returns");

        await Sd("deregister-instance", "--service-id", svc, "--instance-id", "i-1");
        await EventuallyAsync(async () => await AddressesAsync() == "10.3.0.2", "a deregistered instance leaves the A answer");
        Assert.Equal(["1 1 82 i-2.web.cli.test."], (await DigAsync(Service, "SRV")).Data("SRV"));
        Assert.Equal("NXDOMAIN", (await DigAsync("i-1.web.cli.test", "A")).Status);
    }

    private Task<Dig.Result> DigAsync(string name, string type) => Dig.QueryAsync(host.Port, name, type);

    private async Task<string> AddressesAsync() => string.Join(',', (await DigAsync(Service, "A")).Data("A").Order());

    private static Task EventuallyAsync(Func<Task<bool>> condition, string what) => DnsHost.EventuallyAsync(condition, what);
}
