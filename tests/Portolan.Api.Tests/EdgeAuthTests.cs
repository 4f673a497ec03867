using System.Text;
using System.Text.Json;
using System.Xml.Linq;
using Portolan.Api.Tests.Support;

namespace Portolan.Api.Tests;

/// <summary>
/// <c>--auth</c> on the live edge: CLI-captured requests replayed byte for byte pass, and every way of failing is
/// answered with AWS's code in the caller's protocol.
/// </summary>
public sealed class EdgeAuthTests : IAsyncLifetime
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
    private readonly ManualTimeProvider _clock = new(DateTimeOffset.UnixEpoch);
    private EdgeHost _edge = null!;

    public async Task InitializeAsync() =>
        _edge = await EdgeHost.StartAsync([_cloudMap, _elb], authFileContent: "# test keys\n\ntest test\nother-key other-secret\n", clock: _clock);

    public async Task DisposeAsync() => await _edge.DisposeAsync();

    [Theory]
    [InlineData("sd-list-namespaces.http")]
    [InlineData("sd-create-service.http")]
    [InlineData("sd-discover-instances.http")]
    [InlineData("sd-discover-instances.via-data-localhost.http")]
    [InlineData("elbv2-create-rule.http")]
    [InlineData("elbv2-describe-target-groups.no-args.http")]
    public async Task Captured_cli_requests_are_accepted(string file)
    {
        var capture = CapturedRequest.Load(file);
        _clock.Now = capture.SignedAt.AddMinutes(3);

        var response = await RawHttp.SendAsync(_edge.ApiUri, capture.Raw);

        Assert.True(response.Status == 200, response.Body);
        var call = (_cloudMap.LastCall ?? _elb.LastCall)!;
        Assert.Equal("test", call.AccessKeyId);
    }

    [Fact]
    public async Task Presigned_query_request_is_accepted_and_its_url_parameters_are_the_input()
    {
        var capture = CapturedRequest.Load("presigned-elbv2-describe-target-groups.http");
        _clock.Now = new DateTimeOffset(2026, 11, 24, 16, 31, 0, TimeSpan.Zero);

        var response = await RawHttp.SendAsync(_edge.ApiUri, capture.Raw);

        Assert.True(response.Status == 200, response.Body);
        Assert.Equal("DescribeTargetGroups", _elb.LastCall!.Operation);
        Assert.Equal("echo grpc/*", _elb.LastCall.Form["Names.member.1"]);
    }

    [Fact]
    public async Task Tampered_json_request_is_an_invalid_signature()
    {
        var capture = CapturedRequest.Load("sd-create-service.http");
        _clock.Now = capture.SignedAt;

        var response = await RawHttp.SendAsync(_edge.ApiUri, Tamper(capture.Raw, "echoservice", "echoservicf"));

        var json = AssertJson(response, 400, "InvalidSignatureException");
        Assert.StartsWith("The request signature we calculated does not match", json.GetProperty("Message").GetString(), StringComparison.Ordinal);
        Assert.Null(_cloudMap.LastCall);
    }

    [Fact]
    public async Task Tampered_query_request_is_signature_does_not_match_in_xml()
    {
        var capture = CapturedRequest.Load("elbv2-create-rule.http");
        _clock.Now = capture.SignedAt;

        var response = await RawHttp.SendAsync(_edge.ApiUri, Tamper(capture.Raw, "Priority=10", "Priority=11"));

        AssertXml(response, 403, "SignatureDoesNotMatch");
        Assert.Null(_elb.LastCall);
    }

    [Fact]
    public async Task Unsigned_requests_are_missing_a_token()
    {
        _clock.Now = DateTimeOffset.UtcNow;

        using var json = await _edge.PostJsonAsync("Route53AutoNaming_v20170314.ListNamespaces", "{}");
        using var query = await _edge.PostFormAsync("Action=DescribeTargetGroups&Version=2015-12-01");

        var jsonError = await EdgeJsonTests.AssertJsonError(json, System.Net.HttpStatusCode.Forbidden, "MissingAuthenticationTokenException");
        Assert.Equal("Missing Authentication Token", jsonError.GetProperty("Message").GetString());
        await EdgeQueryTests.AssertXmlError(query, System.Net.HttpStatusCode.Forbidden, "MissingAuthenticationToken", "Sender", ElbNamespace);
    }

    [Fact]
    public async Task Unknown_access_key_is_unrecognized()
    {
        var capture = CapturedRequest.Load("sd-list-namespaces.http");
        var elb = CapturedRequest.Load("elbv2-describe-target-groups.no-args.http");
        _clock.Now = capture.SignedAt;

        var json = await RawHttp.SendAsync(_edge.ApiUri, Tamper(capture.Raw, "Credential=test/", "Credential=nope/"));
        _clock.Now = elb.SignedAt;
        var xml = await RawHttp.SendAsync(_edge.ApiUri, Tamper(elb.Raw, "Credential=test/", "Credential=nope/"));

        var error = AssertJson(json, 400, "UnrecognizedClientException");
        Assert.Equal("The security token included in the request is invalid.", error.GetProperty("Message").GetString());
        AssertXml(xml, 403, "InvalidClientTokenId");
    }

    [Fact]
    public async Task Stale_request_has_an_expired_signature()
    {
        var capture = CapturedRequest.Load("sd-list-namespaces.http");
        _clock.Now = capture.SignedAt.AddMinutes(20);

        var response = await RawHttp.SendAsync(_edge.ApiUri, capture.Raw);

        var json = AssertJson(response, 400, "InvalidSignatureException");
        Assert.StartsWith("Signature expired: 20261124T162626Z is now earlier than", json.GetProperty("Message").GetString(), StringComparison.Ordinal);
    }

    private static byte[] Tamper(byte[] raw, string from, string to)
    {
        // Same length, so Content-Length stays right and only the signature can object.
        Assert.Equal(from.Length, to.Length);
        var text = Encoding.Latin1.GetString(raw);
        Assert.Contains(from, text, StringComparison.Ordinal);
        return Encoding.Latin1.GetBytes(text.Replace(from, to, StringComparison.Ordinal));
    }

    private static JsonElement AssertJson(RawResponse response, int status, string code)
    {
        Assert.True(response.Status == status, $"{response.Status}: {response.Body}");
        Assert.Equal("application/x-amz-json-1.1", response.Header("Content-Type"));
        Assert.Equal(code, response.Header("x-amzn-ErrorType"));
        using var json = JsonDocument.Parse(response.Body);
        Assert.Equal(code, json.RootElement.GetProperty("__type").GetString());
        return json.RootElement.Clone();
    }

    private static void AssertXml(RawResponse response, int status, string code)
    {
        Assert.True(response.Status == status, $"{response.Status}: {response.Body}");
        Assert.Equal("text/xml", response.Header("Content-Type"));
        XNamespace ns = ElbNamespace;
        var xml = XDocument.Parse(response.Body);
        Assert.Equal(code, xml.Root!.Element(ns + "Error")!.Element(ns + "Code")!.Value);
        Assert.Equal("Sender", xml.Root.Element(ns + "Error")!.Element(ns + "Type")!.Value);
    }
}
