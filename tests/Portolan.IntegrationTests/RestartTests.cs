using Portolan.IntegrationTests.Support;
using Portolan.Testing;

namespace Portolan.IntegrationTests;

/// <summary>
/// <c>portolan serve</c> as a child process, killed with SIGKILL after the CLI got its answers: a new process on the
/// same data dir must have everything that was acknowledged.
/// </summary>
public sealed class RestartTests
{
    private static Task<PortolanProcess> ServeAsync(string dataDir) =>
        PortolanProcess.StartAsync(["serve", "--api", "127.0.0.1:0", "--data-dir", dataDir]);

    [Fact]
    public async Task Everything_acknowledged_survives_a_kill_and_restart()
    {
        using var dataDir = new TempDirectory();
        string httpNs, privateNs, serviceId, createOp, namespaceArn;

        await using (var first = await ServeAsync(dataDir.Path))
        {
            var server = new Sd(new AwsCli(first.ApiUri));
            createOp = (await server.OkAsync("create-http-namespace", "--name", "persist-http", "--tags", "Key=env,Value=dev")).Str("OperationId");
            httpNs = (await server.OkAsync("get-operation", "--operation-id", createOp)).GetProperty("Operation").GetProperty("Targets").Str("NAMESPACE");
            var privateOp = (await server.OkAsync("create-private-dns-namespace", "--name", "persist.internal", "--vpc", "vpc-1",
                "--properties", "DnsProperties={SOA={TTL=30}}")).Str("OperationId");
            privateNs = (await server.OkAsync("get-operation", "--operation-id", privateOp)).GetProperty("Operation").GetProperty("Targets").Str("NAMESPACE");
            serviceId = (await server.OkAsync("create-service", "--name", "echoservice",
                "--dns-config", $"NamespaceId={privateNs},RoutingPolicy=MULTIVALUE,DnsRecords=[{{Type=A,TTL=60}},{{Type=SRV,TTL=60}}]",
                "--health-check-custom-config", "FailureThreshold=1")).GetProperty("Service").Str("Id");
            foreach (var (id, ip) in new[] { ("echo-1", "10.0.0.1"), ("echo-2", "10.0.0.2"), ("echo-3", "10.0.0.3") })
            {
                await server.OkAsync("register-instance", "--service-id", serviceId, "--instance-id", id,
                    "--attributes", $"AWS_INSTANCE_IPV4={ip},AWS_INSTANCE_PORT=80");
            }
            await server.OkAsync("update-instance-custom-health-status", "--service-id", serviceId, "--instance-id", "echo-2", "--status", "UNHEALTHY");
            await server.OkAsync("deregister-instance", "--service-id", serviceId, "--instance-id", "echo-3");
            namespaceArn = $"arn:aws:servicediscovery:us-east-1:000000000000:namespace/{httpNs}";
            await server.OkAsync("tag-resource", "--resource-arn", namespaceArn, "--tags", "Key=team,Value=core");

            await first.KillAsync();
        }

        await using var second = await ServeAsync(dataDir.Path);
        var sd = new Sd(new AwsCli(second.ApiUri));

        var namespaces = await sd.OkAsync("list-namespaces");
        Assert.Equal(
            new[] { $"{httpNs}=persist-http", $"{privateNs}=persist.internal" }.Order(StringComparer.Ordinal),
            namespaces.GetProperty("Namespaces").EnumerateArray().Select(n => $"{n.Str("Id")}={n.Str("Name")}").Order(StringComparer.Ordinal));
        var privateNamespace = (await sd.OkAsync("get-namespace", "--id", privateNs)).GetProperty("Namespace");
        Assert.Equal(30, privateNamespace.GetProperty("Properties").GetProperty("DnsProperties").GetProperty("SOA").GetProperty("TTL").GetInt64());
        Assert.Equal(1, privateNamespace.GetProperty("ServiceCount").GetInt32());

        var service = (await sd.OkAsync("get-service", "--id", serviceId)).GetProperty("Service");
        Assert.Equal("echoservice", service.Str("Name"));
        Assert.Equal(2, service.GetProperty("InstanceCount").GetInt32());
        Assert.Equal(2, service.GetProperty("DnsConfig").GetProperty("DnsRecords").GetArrayLength());
        Assert.True(service.TryGetProperty("HealthCheckCustomConfig", out _));

        var instances = await sd.OkAsync("list-instances", "--service-id", serviceId);
        Assert.Equal(["echo-1", "echo-2"], instances.Column("Instances", "Id").Order(StringComparer.Ordinal));
        var health = (await sd.OkAsync("get-instances-health-status", "--service-id", serviceId)).Map("Status");
        Assert.Equal(new Dictionary<string, string> { ["echo-1"] = "HEALTHY", ["echo-2"] = "UNHEALTHY" }, health);

        Assert.Equal("SUCCESS", (await sd.OkAsync("get-operation", "--operation-id", createOp)).GetProperty("Operation").Str("Status"));
        var tags = (await sd.OkAsync("list-tags-for-resource", "--resource-arn", namespaceArn)).GetProperty("Tags").EnumerateArray()
            .ToDictionary(t => t.Str("Key"), t => t.Str("Value"));
        Assert.Equal(new Dictionary<string, string> { ["env"] = "dev", ["team"] = "core" }, tags);

        var discovered = await new Sd(new AwsCli(CloudMapServer.LocalhostEndpoint(second.ApiUri.Port)))
            .OkAsync("discover-instances", "--namespace-name", "persist.internal", "--service-name", "echoservice");
        Assert.Equal(["echo-1"], discovered.Column("Instances", "InstanceId"));

        // The restarted server keeps writing on top of what it recovered.
        await sd.OkAsync("register-instance", "--service-id", serviceId, "--instance-id", "echo-4", "--attributes", "AWS_INSTANCE_IPV4=10.0.0.4,AWS_INSTANCE_PORT=80");
        await sd.FailsAsync("NamespaceAlreadyExists", "CreateHttpNamespace", "create-http-namespace", "--name", "persist-http");
        Assert.Equal(3, (await sd.OkAsync("list-instances", "--service-id", serviceId)).GetProperty("Instances").GetArrayLength());
    }
}
