using System.Net;
using System.Xml.Linq;
using Portolan.Api.Edge;
using Portolan.Api.Tests.Support;

namespace Portolan.Api.Tests;

/// <summary>The Query protocol through the real Kestrel edge (WIRE.md §5), with a fake Query service behind it.</summary>
public sealed class EdgeQueryTests : IAsyncLifetime
{
    private static readonly XNamespace Ns = FakeAwsService.Namespace;
    private readonly FakeAwsService _service = FakeAwsService.Query();
    private EdgeHost _edge = null!;

    public async Task InitializeAsync() => _edge = await EdgeHost.StartAsync([_service]);

    public async Task DisposeAsync() => await _edge.DisposeAsync();

    [Fact]
    public async Task Success_is_wrapped_in_response_and_result_elements()
    {
        _service.Handler = (call, _) =>
        {
            FakeAwsService.Write(call, "<TargetGroups><member><TargetGroupName>echo</TargetGroupName></member></TargetGroups>");
            return ValueTask.CompletedTask;
        };

        using var response = await _edge.PostFormAsync($"Action=DescribeTargetGroups&Version={FakeAwsService.QueryApiVersion}&Names.member.1=echo");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/xml", response.Content.Headers.ContentType?.ToString());
        var requestId = response.Headers.GetValues("x-amzn-RequestId").Single();
        var xml = XDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(Ns + "DescribeTargetGroupsResponse", xml.Root!.Name);
        var result = xml.Root.Element(Ns + "DescribeTargetGroupsResult");
        Assert.NotNull(result);
        Assert.Equal("echo", result.Element(Ns + "TargetGroups")!.Element(Ns + "member")!.Element(Ns + "TargetGroupName")!.Value);
        Assert.Equal(requestId, xml.Root.Element(Ns + "ResponseMetadata")!.Element(Ns + "RequestId")!.Value);
    }

    [Fact]
    public async Task Empty_result_still_has_the_result_element()
    {
        using var response = await _edge.PostFormAsync($"Action=RegisterTargets&Version={FakeAwsService.QueryApiVersion}");

        var xml = XDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.NotNull(xml.Root!.Element(Ns + "RegisterTargetsResult"));
    }

    [Fact]
    public async Task Form_reaches_the_service_decoded_with_flat_keys()
    {
        // The body of requests/elbv2-create-rule.http.
        var capture = CapturedRequest.Load("elbv2-create-rule.http");
        var body = System.Text.Encoding.ASCII.GetString(capture.Body).Replace("Version=2015-12-01", $"Version={FakeAwsService.QueryApiVersion}", StringComparison.Ordinal);

        using var response = await _edge.PostFormAsync(body);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var call = _service.LastCall!;
        Assert.Equal("CreateRule", call.Operation);
        Assert.Equal(AwsProtocol.Query, call.Protocol);
        Assert.Equal("/api/*", call.Form["Conditions.member.1.PathPatternConfig.Values.member.1"]);
        Assert.Equal("/v2/*", call.Form["Conditions.member.1.PathPatternConfig.Values.member.2"]);
        Assert.Equal("arn:aws:elasticloadbalancing:us-east-1:000000000000:targetgroup/echo-grpc/fedcba9876543210", call.Form["Actions.member.1.TargetGroupArn"]);
        Assert.Equal("10", call.Form["Priority"]);
    }

    [Fact]
    public async Task Url_parameters_count_but_the_body_wins()
    {
        var content = new StringContent($"Action=DescribeTargetGroups&Version={FakeAwsService.QueryApiVersion}&Names.member.1=body",
            null, "application/x-www-form-urlencoded");

        using var response = await _edge.Client.PostAsync("/?Names.member.1=url&PageSize=5&X-Amz-Date=20260101T000000Z", content);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var form = _service.LastCall!.Form;
        Assert.Equal("body", form["Names.member.1"]);
        Assert.Equal("5", form["PageSize"]);
        Assert.False(form.ContainsKey("X-Amz-Date"));
    }

    [Fact]
    public async Task Service_error_is_an_error_response_in_xml()
    {
        _service.Handler = (_, _) => throw new AwsServiceException("TargetGroupNotFound", "One or more target groups not found");

        using var response = await _edge.PostFormAsync($"Action=DescribeTargetGroups&Version={FakeAwsService.QueryApiVersion}");

        var error = await AssertXmlError(response, HttpStatusCode.BadRequest, "TargetGroupNotFound", "Sender", Ns);
        Assert.Equal("One or more target groups not found", error.Element(Ns + "Message")!.Value);
    }

    [Fact]
    public async Task Server_side_errors_are_receiver_faults()
    {
        _service.Handler = (_, _) => throw new AwsServiceException("HealthUnavailable", "Health unavailable", 500);

        using var response = await _edge.PostFormAsync($"Action=DescribeTargetHealth&Version={FakeAwsService.QueryApiVersion}");

        await AssertXmlError(response, HttpStatusCode.InternalServerError, "HealthUnavailable", "Receiver", Ns);
    }

    [Fact]
    public async Task Unexpected_exception_is_an_internal_failure_in_xml()
    {
        _service.Handler = (_, _) => throw new InvalidOperationException("boom");

        using var response = await _edge.PostFormAsync($"Action=DescribeTargetHealth&Version={FakeAwsService.QueryApiVersion}");

        await AssertXmlError(response, HttpStatusCode.InternalServerError, "InternalFailure", "Receiver", Ns);
    }

    [Fact]
    public async Task Unknown_operation_from_the_service_is_an_invalid_action()
    {
        _service.Handler = (call, _) => throw AwsServiceException.UnknownOperation(call.Operation);

        using var response = await _edge.PostFormAsync($"Action=Frobnicate&Version={FakeAwsService.QueryApiVersion}");

        await AssertXmlError(response, HttpStatusCode.BadRequest, "InvalidAction", "Sender", Ns);
    }

    [Fact]
    public async Task Version_nobody_serves_is_an_invalid_action_without_namespace()
    {
        // Also what ELBv2 callers get while no ELBv2 service is registered.
        using var response = await _edge.PostFormAsync("Action=DescribeTargetGroups&Version=2015-12-01");

        var error = await AssertXmlError(response, HttpStatusCode.BadRequest, "InvalidAction", "Sender", XNamespace.None);
        Assert.Contains("DescribeTargetGroups", error.Element("Message")!.Value, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Version=2099-01-01")]
    [InlineData("")]
    public async Task Missing_action_is_reported_in_xml(string body)
    {
        using var response = await _edge.PostFormAsync(body);

        await AssertXmlError(response, HttpStatusCode.BadRequest, "MissingAction", "Sender", body.Length == 0 ? XNamespace.None : Ns);
    }

    [Fact]
    public async Task Action_that_is_not_an_operation_name_never_reaches_the_service()
    {
        using var response = await _edge.PostFormAsync($"Action=%3Cscript%3E&Version={FakeAwsService.QueryApiVersion}");

        var error = await AssertXmlError(response, HttpStatusCode.BadRequest, "InvalidAction", "Sender", Ns);
        Assert.Contains("<script>", error.Element(Ns + "Message")!.Value, StringComparison.Ordinal);
        Assert.Null(_service.LastCall);
    }

    [Fact]
    public async Task Post_without_target_or_form_type_is_answered_in_xml()
    {
        using var response = await _edge.Client.PostAsync("/", new ByteArrayContent([]));

        await AssertXmlError(response, HttpStatusCode.BadRequest, "MissingAction", "Sender", XNamespace.None);
    }

    internal static async Task<XElement> AssertXmlError(HttpResponseMessage response, HttpStatusCode status, string code, string type, XNamespace ns)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(status == response.StatusCode, $"expected {status}, got {response.StatusCode}: {body}");
        Assert.Equal("text/xml", response.Content.Headers.ContentType?.ToString());
        var requestId = response.Headers.GetValues("x-amzn-RequestId").Single();
        var xml = XDocument.Parse(body);
        Assert.Equal(ns + "ErrorResponse", xml.Root!.Name);
        var error = xml.Root.Element(ns + "Error")!;
        Assert.Equal(type, error.Element(ns + "Type")!.Value);
        Assert.Equal(code, error.Element(ns + "Code")!.Value);
        Assert.False(string.IsNullOrEmpty(error.Element(ns + "Message")!.Value));
        Assert.Equal(requestId, xml.Root.Element(ns + "RequestId")!.Value);
        return error;
    }
}
