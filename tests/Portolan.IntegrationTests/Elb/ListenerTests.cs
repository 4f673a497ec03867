using System.Globalization;
using System.Text.Json;
using Portolan.IntegrationTests.Support;
using Portolan.Testing;

namespace Portolan.IntegrationTests.Elb;

/// <summary>
/// create-listener, describe-listeners, modify-listener, delete-listener, the listener-certificate commands and
/// describe-ssl-policies with the real aws CLI, including the host-wide port rule and the errors.
/// </summary>
public sealed class ListenerTests(ElbServer server) : IClassFixture<ElbServer>
{
    private Elb Elb => server.Elb;

    private static string P(int port) => port.ToString(CultureInfo.InvariantCulture);

    private static JsonElement First(JsonElement output) => output.GetProperty("Listeners").EnumerateArray().Single();

    [Fact]
    public async Task Listeners_forward_weighted_are_described_modified_and_deleted()
    {
        var lb = await server.SeedLoadBalancerAsync(ElbServer.Unique("lsn"));
        var grpc = await server.SeedTargetGroupAsync(ElbServer.Unique("grpc"), 10080, version: "GRPC");
        var http = await server.SeedTargetGroupAsync(ElbServer.Unique("http"));
        var (grpcPort, webPort, movedPort) = (FreePorts.Next(), FreePorts.Next(), FreePorts.Next());

        var single = First(await Elb.OkAsync("create-listener", "--load-balancer-arn", lb, "--protocol", "HTTP", "--port", P(grpcPort),
            "--default-actions", $"Type=forward,TargetGroupArn={grpc}"));
        Assert.Equal($"{lb.Replace(":loadbalancer/", ":listener/", StringComparison.Ordinal)}/{LoadBalancerTests.ElbArnId(single.Str("ListenerArn"))}", single.Str("ListenerArn"));
        Assert.Equal((lb, grpcPort, "HTTP"), (single.Str("LoadBalancerArn"), single.GetProperty("Port").GetInt32(), single.Str("Protocol")));
        var action = single.GetProperty("DefaultActions").EnumerateArray().Single();
        Assert.Equal(("forward", grpc), (action.Str("Type"), action.Str("TargetGroupArn")));
        Assert.Equal([$"{grpc}:1"], action.GetProperty("ForwardConfig").GetProperty("TargetGroups").EnumerateArray().Select(g => $"{g.Str("TargetGroupArn")}:{g.GetProperty("Weight").GetInt32()}"));

        var weighted = First(await Elb.OkAsync("create-listener", "--load-balancer-arn", lb, "--protocol", "HTTP", "--port", P(webPort),
            "--default-actions", $"Type=forward,ForwardConfig={{TargetGroups=[{{TargetGroupArn={grpc},Weight=1}},{{TargetGroupArn={http},Weight=3}}],TargetGroupStickinessConfig={{Enabled=true,DurationSeconds=60}}}}"));
        var forward = weighted.GetProperty("DefaultActions")[0].GetProperty("ForwardConfig");
        Assert.Equal([$"{grpc}:1", $"{http}:3"], forward.GetProperty("TargetGroups").EnumerateArray().Select(g => $"{g.Str("TargetGroupArn")}:{g.GetProperty("Weight").GetInt32()}"));
        Assert.True(forward.GetProperty("TargetGroupStickinessConfig").GetProperty("Enabled").GetBoolean());
        Assert.False(weighted.GetProperty("DefaultActions")[0].TryGetProperty("TargetGroupArn", out _));

        var listed = await Elb.OkAsync("describe-listeners", "--load-balancer-arn", lb);
        Assert.Equal(new[] { grpcPort, webPort }.Order(), listed.GetProperty("Listeners").EnumerateArray().Select(l => l.GetProperty("Port").GetInt32()));
        Assert.Equal(weighted.ToString(), First(await Elb.OkAsync("describe-listeners", "--listener-arns", weighted.Str("ListenerArn"))).ToString());
        var firstPage = await Elb.OkAsync("describe-listeners", "--load-balancer-arn", lb, "--page-size", "1");
        Assert.Single(firstPage.GetProperty("Listeners").EnumerateArray());
        var secondPage = await Elb.OkAsync("describe-listeners", "--load-balancer-arn", lb, "--page-size", "1", "--marker", firstPage.Str("NextMarker"));
        Assert.Equal(Math.Max(grpcPort, webPort), First(secondPage).GetProperty("Port").GetInt32());

        // The target groups now report the load balancer that uses them.
        var groups = await Elb.OkAsync("describe-target-groups", "--load-balancer-arn", lb);
        Assert.Equal(new[] { grpc, http }.Order(StringComparer.Ordinal), groups.Column("TargetGroups", "TargetGroupArn").Order(StringComparer.Ordinal));

        var modified = First(await Elb.OkAsync("modify-listener", "--listener-arn", single.Str("ListenerArn"), "--port", P(movedPort),
            "--default-actions", "Type=fixed-response,FixedResponseConfig={StatusCode=503,ContentType=text/plain,MessageBody=maintenance}"));
        Assert.Equal(movedPort, modified.GetProperty("Port").GetInt32());
        var fixedResponse = modified.GetProperty("DefaultActions")[0].GetProperty("FixedResponseConfig");
        Assert.Equal(("503", "text/plain", "maintenance"), (fixedResponse.Str("StatusCode"), fixedResponse.Str("ContentType"), fixedResponse.Str("MessageBody")));

        var deleted = await Elb.RunAsync("delete-listener", "--listener-arn", single.Str("ListenerArn"));
        Assert.True(deleted.ExitCode == 0, deleted.ToString());
        await Elb.FailsAsync("ListenerNotFound", "DescribeListeners", "describe-listeners", "--listener-arns", single.Str("ListenerArn"));
        await Elb.FailsAsync("ListenerNotFound", "DeleteListener", "delete-listener", "--listener-arn", single.Str("ListenerArn"));
    }

    /// <summary>The README's elbv2 example, command for command (on a free port rather than 10080, which may be taken here).</summary>
    [Fact]
    public async Task Readme_example_runs_as_written()
    {
        var lb = (await Elb.RunAsync("create-load-balancer", "--name", "demo-alb", "--query", "LoadBalancers[0].LoadBalancerArn", "--output", "text")).StdOut.Trim();
        var tg = (await Elb.RunAsync("create-target-group", "--name", "echo-grpc", "--protocol", "HTTP", "--protocol-version", "GRPC", "--port", "10080",
            "--target-type", "ip", "--query", "TargetGroups[0].TargetGroupArn", "--output", "text")).StdOut.Trim();
        Assert.Matches("^arn:aws:elasticloadbalancing:us-east-1:000000000000:loadbalancer/app/demo-alb/[0-9a-f]{16}$", lb);
        Assert.Matches("^arn:aws:elasticloadbalancing:us-east-1:000000000000:targetgroup/echo-grpc/[0-9a-f]{16}$", tg);
        await Elb.OkAsync("create-listener", "--load-balancer-arn", lb, "--protocol", "HTTP", "--port", P(FreePorts.Next()),
            "--default-actions", $"Type=forward,TargetGroupArn={tg}");
        await Elb.OkAsync("register-targets", "--target-group-arn", tg, "--targets", "Id=127.0.0.1,Port=50051");
        var health = (await Elb.OkAsync("describe-target-health", "--target-group-arn", tg)).GetProperty("TargetHealthDescriptions")[0];
        Assert.Equal("127.0.0.1", health.GetProperty("Target").Str("Id"));
        Assert.Equal("initial", health.GetProperty("TargetHealth").Str("State"));
    }

    [Fact]
    public async Task A_port_serves_one_listener_on_the_host()
    {
        var (lb, tg, listener) = await server.SeedStackAsync("port");
        var port = First(await Elb.OkAsync("describe-listeners", "--listener-arns", listener)).GetProperty("Port").GetInt32();
        var other = await server.SeedLoadBalancerAsync(ElbServer.Unique("other"));
        var otherTg = await server.SeedTargetGroupAsync(ElbServer.Unique("other"));

        await Elb.FailsAsync("DuplicateListener", "CreateListener", "create-listener", "--load-balancer-arn", lb, "--protocol", "HTTP",
            "--port", P(port), "--default-actions", $"Type=forward,TargetGroupArn={otherTg}");
        var cross = await Elb.FailsAsync("DuplicateListener", "CreateListener", "create-listener", "--load-balancer-arn", other, "--protocol", "HTTP",
            "--port", P(port), "--default-actions", $"Type=forward,TargetGroupArn={otherTg}");
        Assert.Contains("already taken on this host", cross.StdErr, StringComparison.Ordinal);

        // Same settings on the same load balancer: CreateListener is idempotent.
        Assert.Equal(listener, First(await Elb.OkAsync("create-listener", "--load-balancer-arn", lb, "--protocol", "HTTP", "--port", P(port),
            "--default-actions", $"Type=forward,TargetGroupArn={tg}")).Str("ListenerArn"));
    }

    [Fact]
    public async Task Listener_errors_are_elbs()
    {
        var (lb, tg, listener) = await server.SeedStackAsync("lerr");
        var other = await server.SeedLoadBalancerAsync(ElbServer.Unique("lerr2"));
        var tcp = await server.SeedTargetGroupAsync(ElbServer.Unique("tcp"), protocol: "TCP");
        var missingTg = tg.Replace(LoadBalancerTests.ElbArnId(tg), "0123456789abcdef", StringComparison.Ordinal);
        string[] Create(string loadBalancer, params string[] rest) =>
            ["create-listener", "--load-balancer-arn", loadBalancer, "--port", P(FreePorts.Next()), .. rest];

        await Elb.FailsAsync("TargetGroupAssociationLimit", "CreateListener", Create(other, "--protocol", "HTTP", "--default-actions", $"Type=forward,TargetGroupArn={tg}"));
        await Elb.FailsAsync("IncompatibleProtocols", "CreateListener", Create(lb, "--protocol", "HTTP", "--default-actions", $"Type=forward,TargetGroupArn={tcp}"));
        await Elb.FailsAsync("TargetGroupNotFound", "CreateListener", Create(lb, "--protocol", "HTTP", "--default-actions", $"Type=forward,TargetGroupArn={missingTg}"));
        await Elb.FailsAsync("ValidationError", "CreateListener", Create(lb, "--protocol", "TCP", "--default-actions", $"Type=forward,TargetGroupArn={tg}"));
        await Elb.FailsAsync("ValidationError", "CreateListener", Create(lb, "--protocol", "HTTPS", "--default-actions", $"Type=forward,TargetGroupArn={tg}"));
        await Elb.FailsAsync("InvalidLoadBalancerAction", "CreateListener", Create(lb, "--protocol", "HTTP", "--default-actions", "Type=redirect,RedirectConfig={StatusCode=HTTP_301}"));
        await Elb.FailsAsync("InvalidLoadBalancerAction", "CreateListener", Create(lb, "--protocol", "HTTP",
            "--default-actions", "Type=authenticate-oidc,AuthenticateOidcConfig={Issuer=i,AuthorizationEndpoint=a,TokenEndpoint=t,UserInfoEndpoint=u,ClientId=c}"));
        await Elb.FailsAsync("LoadBalancerNotFound", "CreateListener", Create(lb.Replace(LoadBalancerTests.ElbArnId(lb), "0123456789abcdef", StringComparison.Ordinal),
            "--protocol", "HTTP", "--default-actions", $"Type=forward,TargetGroupArn={tg}"));
        await Elb.FailsAsync("ValidationError", "DescribeListeners", "describe-listeners");
        await Elb.FailsAsync("ValidationError", "ModifyListener", "modify-listener", "--listener-arn", listener, "--protocol", "UDP");
    }

    [Fact]
    public async Task Https_listener_takes_certificates_from_pem_files()
    {
        using var dir = new TempDirectory();
        var site = "file://" + TestCertificates.WritePem(dir.Path, "site");
        var sni = TestCertificates.WritePem(dir.Path, "sni", separateKey: true);
        var lb = await server.SeedLoadBalancerAsync(ElbServer.Unique("tls"));
        var tg = await server.SeedTargetGroupAsync(ElbServer.Unique("tls"), version: "HTTP2");
        var port = FreePorts.Next();

        var https = First(await Elb.OkAsync("create-listener", "--load-balancer-arn", lb, "--protocol", "HTTPS", "--port", P(port),
            "--certificates", $"CertificateArn={site}", "--ssl-policy", "ELBSecurityPolicy-TLS13-1-2-2021-06",
            "--default-actions", $"Type=forward,TargetGroupArn={tg}"));
        Assert.Equal(("HTTPS", "ELBSecurityPolicy-TLS13-1-2-2021-06"), (https.Str("Protocol"), https.Str("SslPolicy")));
        Assert.Equal([site], https.GetProperty("Certificates").EnumerateArray().Select(c => c.Str("CertificateArn")));
        var arn = https.Str("ListenerArn");

        var added = await Elb.OkAsync("add-listener-certificates", "--listener-arn", arn, "--certificates", $"CertificateArn={sni}");
        Assert.Equal([$"{sni}:False"], added.GetProperty("Certificates").EnumerateArray().Select(c => $"{c.Str("CertificateArn")}:{c.GetProperty("IsDefault").GetBoolean()}"));
        var all = await Elb.OkAsync("describe-listener-certificates", "--listener-arn", arn);
        Assert.Equal([$"{site}:True", $"{sni}:False"], all.GetProperty("Certificates").EnumerateArray().Select(c => $"{c.Str("CertificateArn")}:{c.GetProperty("IsDefault").GetBoolean()}"));

        await Elb.FailsAsync("OperationNotPermitted", "RemoveListenerCertificates", "remove-listener-certificates", "--listener-arn", arn, "--certificates", $"CertificateArn={site}");
        var removed = await Elb.RunAsync("remove-listener-certificates", "--listener-arn", arn, "--certificates", $"CertificateArn={sni}");
        Assert.True(removed.ExitCode == 0, removed.ToString());
        Assert.Single((await Elb.OkAsync("describe-listener-certificates", "--listener-arn", arn)).GetProperty("Certificates").EnumerateArray());

        await Elb.FailsAsync("CertificateNotFound", "CreateListener", "create-listener", "--load-balancer-arn", lb, "--protocol", "HTTPS",
            "--port", P(FreePorts.Next()), "--certificates", "CertificateArn=arn:aws:acm:us-east-1:000000000000:certificate/abc",
            "--default-actions", $"Type=forward,TargetGroupArn={tg}");
        await Elb.FailsAsync("CertificateNotFound", "AddListenerCertificates", "add-listener-certificates", "--listener-arn", arn,
            "--certificates", $"CertificateArn={Path.Combine(dir.Path, "missing.pem")}");
        await Elb.FailsAsync("SSLPolicyNotFound", "ModifyListener", "modify-listener", "--listener-arn", arn, "--ssl-policy", "ELBSecurityPolicy-Nope");

        // Back to plain HTTP: the TLS settings go.
        var plain = First(await Elb.OkAsync("modify-listener", "--listener-arn", arn, "--protocol", "HTTP"));
        Assert.False(plain.TryGetProperty("Certificates", out _));
        Assert.False(plain.TryGetProperty("SslPolicy", out _));
    }

    [Fact]
    public async Task Ssl_policies_name_their_tls_versions()
    {
        var all = await Elb.OkAsync("describe-ssl-policies");
        Assert.Contains("ELBSecurityPolicy-2016-08", all.Column("SslPolicies", "Name"));
        var one = await Elb.OkAsync("describe-ssl-policies", "--names", "ELBSecurityPolicy-TLS13-1-2-2021-06");
        var policy = one.GetProperty("SslPolicies").EnumerateArray().Single();
        Assert.Equal(["TLSv1.2", "TLSv1.3"], policy.GetProperty("SslProtocols").EnumerateArray().Select(p => p.GetString()));
        Assert.Equal(["application"], policy.GetProperty("SupportedLoadBalancerTypes").EnumerateArray().Select(p => p.GetString()));
        await Elb.FailsAsync("SSLPolicyNotFound", "DescribeSSLPolicies", "describe-ssl-policies", "--names", "ELBSecurityPolicy-Nope");
    }
}
