using System.Buffers;
using System.Text;
using Portolan.Api.Edge;
using Portolan.Api.Tests.Support;
using Portolan.Testing;

namespace Portolan.Api.Tests;

/// <summary>
/// The real aws CLI (Debian's v2) against the edge with fake services: proves the CLI accepts our success bodies
/// and our errors in both protocols, proxy-form requests, and that its signatures verify.
/// </summary>
public sealed class AwsCliTests : IAsyncLifetime
{
    private const string ElbNamespace = "http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/";
    private readonly FakeAwsService _cloudMap = new() { SigningName = "servicediscovery", JsonTargetPrefix = "Route53AutoNaming_v20170314" };
    private readonly FakeAwsService _elb = new()
    {
        SigningName = "elasticloadbalancing",
        JsonTargetPrefix = null,
        QueryVersion = "2015-12-01",
        XmlNamespace = ElbNamespace,
    };

    private EdgeHost _open = null!;
    private EdgeHost _verified = null!;

    public async Task InitializeAsync()
    {
        _cloudMap.Handler = (call, _) => call.Operation switch
        {
            "GetNamespace" => throw new AwsServiceException("NamespaceNotFound", "Namespace ns-x not found"),
            "ListNamespaces" => Reply(call, """{"Namespaces":[{"Id":"ns-1","Name":"domaina","Type":"DNS_PRIVATE","CreateDate":1732464000.123}]}"""),
            "DiscoverInstances" => Reply(call, """{"Instances":[{"InstanceId":"i-1","NamespaceName":"domaina","ServiceName":"echoservice","HealthStatus":"HEALTHY","Attributes":{"AWS_INSTANCE_IPV4":"10.0.0.1"}}]}"""),
            _ => throw AwsServiceException.UnknownOperation(call.Operation),
        };
        _elb.Handler = (call, _) => call.Operation switch
        {
            "DescribeTargetGroups" => Reply(call, "<TargetGroups><member><TargetGroupName>echo-grpc</TargetGroupName><Port>10080</Port><LoadBalancerArns/></member></TargetGroups>"),
            "DeleteTargetGroup" => throw new AwsServiceException("TargetGroupNotFound", "One or more target groups not found"),
            _ => throw AwsServiceException.UnknownOperation(call.Operation),
        };
        _open = await EdgeHost.StartAsync([_cloudMap, _elb]);
        _verified = await EdgeHost.StartAsync([_cloudMap, _elb], authFileContent: "test test\n");
    }

    public async Task DisposeAsync()
    {
        await _open.DisposeAsync();
        await _verified.DisposeAsync();
    }

    [Fact]
    public async Task Json_error_is_printed_as_an_aws_error_with_exit_254()
    {
        var result = await new AwsCli(_open.ApiUri).RunAsync("servicediscovery", "get-namespace", "--id", "ns-x");

        Assert.True(result.ExitCode == AwsCli.ServiceErrorExitCode, result.ToString());
        Assert.Contains(
            "An error occurred (NamespaceNotFound) when calling the GetNamespace operation (reached max retries: 0): Namespace ns-x not found",
            result.StdErr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Json_success_is_printed()
    {
        var result = (await new AwsCli(_open.ApiUri).RunAsync("servicediscovery", "list-namespaces")).EnsureSuccess();

        using var json = result.Json();
        var ns = json.RootElement.GetProperty("Namespaces")[0];
        Assert.Equal("ns-1", ns.GetProperty("Id").GetString());
        Assert.Equal("2024-11-24T16:00:00.123000+00:00", ns.GetProperty("CreateDate").GetString());
    }

    [Fact]
    public async Task Query_success_and_error_are_understood()
    {
        var cli = new AwsCli(_open.ApiUri);

        var ok = (await cli.RunAsync("elbv2", "describe-target-groups")).EnsureSuccess();
        var error = await cli.RunAsync("elbv2", "delete-target-group", "--target-group-arn",
            "arn:aws:elasticloadbalancing:us-east-1:000000000000:targetgroup/echo-grpc/fedcba9876543210");

        using var json = ok.Json();
        Assert.Equal("echo-grpc", json.RootElement.GetProperty("TargetGroups")[0].GetProperty("TargetGroupName").GetString());
        Assert.Equal(10080, json.RootElement.GetProperty("TargetGroups")[0].GetProperty("Port").GetInt32());
        Assert.True(error.ExitCode == AwsCli.ServiceErrorExitCode, error.ToString());
        Assert.Contains("An error occurred (TargetGroupNotFound) when calling the DeleteTargetGroup operation", error.StdErr, StringComparison.Ordinal);
        Assert.Equal("DeleteTargetGroup", _elb.LastCall!.Operation);
    }

    [Fact]
    public async Task Discover_instances_works_through_the_edge_as_http_proxy()
    {
        // The CLI sends DiscoverInstances to data-127.0.0.1 (WIRE.md §4); as its proxy, the edge gets it in absolute form.
        var cli = new AwsCli(_verified.ApiUri)
        {
            Environment = new Dictionary<string, string> { ["HTTP_PROXY"] = _verified.ApiUri.GetLeftPart(UriPartial.Authority) },
        };

        var result = (await cli.RunAsync("servicediscovery", "discover-instances", "--namespace-name", "domaina", "--service-name", "echoservice")).EnsureSuccess();

        using var json = result.Json();
        Assert.Equal("i-1", json.RootElement.GetProperty("Instances")[0].GetProperty("InstanceId").GetString());
    }

    [Fact]
    public async Task Signed_requests_pass_verification_in_both_protocols()
    {
        var cli = new AwsCli(_verified.ApiUri);

        (await cli.RunAsync("servicediscovery", "list-namespaces")).EnsureSuccess();
        (await cli.RunAsync("elbv2", "describe-target-groups", "--names", "echo grpc/*")).EnsureSuccess();
        Assert.Equal("echo grpc/*", _elb.LastCall!.Form["Names.member.1"]);
    }

    [Fact]
    public async Task Wrong_secret_is_an_invalid_signature_in_both_protocols()
    {
        var cli = new AwsCli(_verified.ApiUri) { SecretAccessKey = "wrong" };

        var json = await cli.RunAsync("servicediscovery", "list-namespaces");
        var query = await cli.RunAsync("elbv2", "describe-target-groups");

        Assert.True(json.ExitCode == AwsCli.ServiceErrorExitCode, json.ToString());
        Assert.Contains("An error occurred (InvalidSignatureException) when calling the ListNamespaces operation", json.StdErr, StringComparison.Ordinal);
        Assert.True(query.ExitCode == AwsCli.ServiceErrorExitCode, query.ToString());
        Assert.Contains("An error occurred (SignatureDoesNotMatch) when calling the DescribeTargetGroups operation", query.StdErr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unknown_key_is_unrecognized()
    {
        var result = await new AwsCli(_verified.ApiUri) { AccessKeyId = "AKIDUNKNOWN" }.RunAsync("servicediscovery", "list-namespaces");

        Assert.True(result.ExitCode == AwsCli.ServiceErrorExitCode, result.ToString());
        Assert.Contains(
            "An error occurred (UnrecognizedClientException) when calling the ListNamespaces operation (reached max retries: 0): The security token included in the request is invalid.",
            result.StdErr, StringComparison.Ordinal);
    }

    private static ValueTask Reply(AwsCall call, string text)
    {
        call.Output.Write(Encoding.UTF8.GetBytes(text));
        return ValueTask.CompletedTask;
    }
}
