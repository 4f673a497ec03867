using Microsoft.AspNetCore.Http;
using Portolan.Api.Auth;
using Portolan.Api.Tests.Support;

namespace Portolan.Api.Tests;

/// <summary>
/// The verifier against requests the real aws CLI signed (key <c>test</c>, secret <c>test</c>): each must pass with
/// the clock at its X-Amz-Date, and fail once anything signed is changed.
/// </summary>
public sealed class SigV4VerifierTests
{
    /// <summary>The CLI's captures (the presigned vector has its own tests below).</summary>
    public static TheoryData<string> Captures() => [.. CapturedRequest.All().Where(f => !f.StartsWith("presigned-", StringComparison.Ordinal))];

    [Theory]
    [MemberData(nameof(Captures))]
    public void Accepts_every_request_the_cli_signed(string file)
    {
        var capture = CapturedRequest.Load(file);

        var result = Verify(capture);

        Assert.True(result.Succeeded, $"{file}: {result.Failure} {result.Detail}");
        Assert.Equal("test", result.AccessKeyId);
    }

    [Theory]
    [MemberData(nameof(Captures))]
    public void Rejects_a_body_with_one_byte_changed(string file)
    {
        var capture = CapturedRequest.Load(file);
        var body = (byte[])capture.Body.Clone();
        body[body.Length / 2] ^= 0x01;

        var result = Verify(capture, body: body);

        Assert.Equal(AuthFailure.SignatureMismatch, result.Failure);
    }

    [Theory]
    [MemberData(nameof(Captures))]
    public void Rejects_a_wrong_secret(string file)
    {
        var result = Verify(CapturedRequest.Load(file), keys: "test not-the-secret");

        Assert.Equal(AuthFailure.SignatureMismatch, result.Failure);
    }

    [Theory]
    [InlineData("sd-list-namespaces.http", "X-Amz-Target", "Route53AutoNaming_v20170314.DeleteNamespace")]
    [InlineData("sd-list-namespaces.http", "Host", "127.0.0.1:4600")]
    [InlineData("sd-discover-instances.http", "Host", "127.0.0.1:4599")]
    [InlineData("elbv2-create-rule.http", "Content-Type", "application/x-www-form-urlencoded")]
    [InlineData("elbv2-create-rule.http", "X-Amz-Date", "20261124T162741Z")]
    public void Rejects_a_changed_signed_header(string file, string header, string value)
    {
        var capture = CapturedRequest.Load(file);

        var result = Verify(capture, headers: capture.Headers((name, v) => name.Equals(header, StringComparison.OrdinalIgnoreCase) ? value : v));

        Assert.Equal(AuthFailure.SignatureMismatch, result.Failure);
    }

    [Fact]
    public void Ignores_headers_that_are_not_signed()
    {
        var capture = CapturedRequest.Load("sd-list-namespaces.http");
        var headers = capture.Headers((name, v) => name == "User-Agent" ? "something/else" : v);
        headers.Append("X-Forwarded-For", "10.0.0.1");

        Assert.True(Verify(capture, headers: headers).Succeeded);
    }

    [Fact]
    public void Signs_the_path_of_an_absolute_form_target()
    {
        // Sent through HTTP_PROXY (WIRE.md §4): the request line carries the whole URL; the CLI signed only "/".
        var capture = CapturedRequest.Load("sd-discover-instances.http");
        Assert.StartsWith("http://data-127.0.0.1:4599/", capture.RawTarget, StringComparison.Ordinal);

        Assert.True(Verify(capture).Succeeded);
        Assert.True(Verify(capture, rawTarget: "/").Succeeded);
        Assert.Equal(AuthFailure.SignatureMismatch, Verify(capture, rawTarget: "/other").Failure);
    }

    [Fact]
    public void Unknown_access_key_is_reported_as_such()
    {
        var result = Verify(CapturedRequest.Load("sd-list-namespaces.http"), keys: "someone-else secret");

        Assert.Equal(AuthFailure.UnknownKey, result.Failure);
        Assert.Equal("test", result.AccessKeyId);
    }

    [Fact]
    public void Missing_authorization_is_a_missing_token()
    {
        var capture = CapturedRequest.Load("sd-list-namespaces.http");

        var result = Verify(capture, headers: capture.Headers((name, v) => name == "Authorization" ? null : v));

        Assert.Equal(AuthFailure.MissingToken, result.Failure);
    }

    [Theory]
    [InlineData("AWS4-HMAC-SHA1 Credential=test/20261124/us-east-1/servicediscovery/aws4_request, SignedHeaders=host, Signature=00")]
    [InlineData("AWS4-HMAC-SHA256 SignedHeaders=host, Signature=00")]
    [InlineData("AWS4-HMAC-SHA256 Credential=test/20261124/us-east-1/servicediscovery, SignedHeaders=host, Signature=00")]
    [InlineData("AWS4-HMAC-SHA256 Credential=test/20261124/us-east-1/servicediscovery/aws4_request, Signature=00")]
    [InlineData("Bearer abc")]
    public void Unreadable_authorization_is_an_incomplete_signature(string authorization)
    {
        var capture = CapturedRequest.Load("sd-list-namespaces.http");

        var result = Verify(capture, headers: capture.Headers((name, v) => name == "Authorization" ? authorization : v));

        Assert.Equal(AuthFailure.Incomplete, result.Failure);
        Assert.False(string.IsNullOrEmpty(result.Detail));
    }

    [Fact]
    public void Request_older_than_fifteen_minutes_has_an_expired_signature()
    {
        var capture = CapturedRequest.Load("sd-list-namespaces.http"); // X-Amz-Date: 20261124T162626Z

        var ok = Verify(capture, now: capture.SignedAt.AddMinutes(15));
        var expired = Verify(capture, now: capture.SignedAt.AddMinutes(15).AddSeconds(1));

        Assert.True(ok.Succeeded);
        Assert.Equal(AuthFailure.Expired, expired.Failure);
        Assert.Equal(
            "Signature expired: 20261124T162626Z is now earlier than 20261124T162627Z (20261124T164127Z - 15 min.)",
            expired.Detail);
    }

    [Fact]
    public void Request_from_the_future_is_not_yet_current()
    {
        var capture = CapturedRequest.Load("sd-list-namespaces.http");

        var result = Verify(capture, now: capture.SignedAt.AddMinutes(-16));

        Assert.Equal(AuthFailure.Expired, result.Failure);
        Assert.Equal(
            "Signature not yet current: 20261124T162626Z is still later than 20261124T162526Z (20261124T161026Z + 15 min.)",
            result.Detail);
    }

    [Fact]
    public void Credential_scope_date_must_match_the_request_date()
    {
        var capture = CapturedRequest.Load("sd-list-namespaces.http");
        var headers = capture.Headers((name, v) => name == "Authorization" ? v.Replace("test/20261124/", "test/20261123/", StringComparison.Ordinal) : v);

        var result = Verify(capture, headers: headers);

        Assert.Equal(AuthFailure.SignatureMismatch, result.Failure);
        Assert.Contains("Date in Credential scope does not match", result.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Declared_payload_hash_must_be_the_real_one()
    {
        var capture = CapturedRequest.Load("sd-list-namespaces.http");
        var headers = capture.Headers();
        headers["X-Amz-Content-Sha256"] = new string('0', 64);

        var result = Verify(capture, headers: headers);

        Assert.Equal(AuthFailure.SignatureMismatch, result.Failure);
        Assert.Contains("x-amz-content-sha256", result.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Without_access_keys_everything_passes_and_the_key_id_is_still_read()
    {
        var capture = CapturedRequest.Load("sd-list-namespaces.http");
        var verifier = new SigV4Verifier(new AwsAuthOptions(), new ManualTimeProvider(DateTimeOffset.UnixEpoch));
        var tampered = (byte[])capture.Body.Clone();
        tampered[0] = (byte)'[';

        var signed = verifier.Authenticate(capture.Method, capture.RawTarget, capture.Headers(), tampered);
        var unsigned = verifier.Authenticate("POST", "/", new HeaderDictionary(), []);

        Assert.True(signed.Succeeded);
        Assert.Equal("test", signed.AccessKeyId);
        Assert.True(unsigned.Succeeded);
        Assert.Null(unsigned.AccessKeyId);
    }

    internal static AuthResult Verify(
        CapturedRequest capture,
        string keys = "test test",
        byte[]? body = null,
        IHeaderDictionary? headers = null,
        string? rawTarget = null,
        DateTimeOffset? now = null)
    {
        var options = new AwsAuthOptions { AccessKeys = AccessKeyStore.Parse(new StringReader(keys), "test-keys") };
        var verifier = new SigV4Verifier(options, new ManualTimeProvider(now ?? capture.SignedAt));
        return verifier.Authenticate(capture.Method, rawTarget ?? capture.RawTarget, headers ?? capture.Headers(), body ?? capture.Body);
    }
}

/// <summary>Presigned URLs, checked against one that the CLI's own botocore presigned.</summary>
public sealed class SigV4PresignedTests
{
    private const string File = "presigned-elbv2-describe-target-groups.http";

    [Fact]
    public void Accepts_a_botocore_presigned_request_until_it_expires()
    {
        var capture = CapturedRequest.Load(File);
        var signedAt = new DateTimeOffset(2026, 11, 24, 16, 30, 0, TimeSpan.Zero);

        Assert.True(SigV4VerifierTests.Verify(capture, now: signedAt).Succeeded);
        Assert.True(SigV4VerifierTests.Verify(capture, now: signedAt.AddSeconds(300)).Succeeded);
        var expired = SigV4VerifierTests.Verify(capture, now: signedAt.AddSeconds(301));
        Assert.Equal(AuthFailure.Expired, expired.Failure);
    }

    [Theory]
    [InlineData("Names.member.1=echo%20grpc%2F%2A", "Names.member.1=echo%20grpc%2F%2B")]
    [InlineData("Action=DescribeTargetGroups", "Action=DeleteTargetGroup")]
    [InlineData("X-Amz-Expires=300", "X-Amz-Expires=3000")]
    public void Rejects_a_changed_query_parameter(string original, string changed)
    {
        var capture = CapturedRequest.Load(File);
        var signedAt = new DateTimeOffset(2026, 11, 24, 16, 30, 0, TimeSpan.Zero);

        var result = SigV4VerifierTests.Verify(capture, rawTarget: capture.RawTarget.Replace(original, changed, StringComparison.Ordinal), now: signedAt);

        Assert.Equal(AuthFailure.SignatureMismatch, result.Failure);
    }

    [Fact]
    public void Parameters_may_come_in_any_order()
    {
        var capture = CapturedRequest.Load(File);
        var query = capture.RawTarget[2..].Split('&').Reverse();

        var result = SigV4VerifierTests.Verify(capture, rawTarget: "/?" + string.Join('&', query),
            now: new DateTimeOffset(2026, 11, 24, 16, 30, 0, TimeSpan.Zero));

        Assert.True(result.Succeeded, result.Detail);
    }
}
