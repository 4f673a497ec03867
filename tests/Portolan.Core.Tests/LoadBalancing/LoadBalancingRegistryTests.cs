using Portolan.Core.LoadBalancing;
using Portolan.Core.LoadBalancing.Validation;
using Portolan.Core.Registry;
using Portolan.Testing;

namespace Portolan.Core.Tests.LoadBalancing;

public sealed class LoadBalancingRegistryTests
{
    private static async Task<RegistryException> Rejects(Func<Task> act) => await Assert.ThrowsAsync<RegistryException>(act);

    [Fact]
    public async Task CreateLoadBalancer_HasAwsArnDnsNameZonesAndDefaultAttributes()
    {
        await using var h = await LoadBalancingHarness.StartAsync();
        var lb = await h.Registry.CreateLoadBalancerAsync(new CreateLoadBalancerCommand
        {
            Name = "Demo-ALB", Subnets = ["subnet-1", "subnet-2"], SecurityGroups = ["sg-1"], Scheme = LoadBalancerScheme.Internal,
        });

        Assert.Matches("^[0-9a-f]{16}$", lb.Id);
        Assert.Equal($"arn:aws:elasticloadbalancing:us-east-1:000000000000:loadbalancer/app/Demo-ALB/{lb.Id}", lb.Arn);
        Assert.Matches(@"^internal-demo-alb-\d{10}\.us-east-1\.elb\.localhost$", lb.DnsName);
        Assert.Equal("Z35SXDOTRQ7X7K", lb.CanonicalHostedZoneId);
        Assert.Equal([new SubnetZone("subnet-1", "us-east-1a"), new SubnetZone("subnet-2", "us-east-1b")], lb.Subnets.ToArray());
        Assert.Equal(LoadBalancerStateCode.Active, lb.State);
        Assert.Equal("60", lb.Attributes[LoadBalancerAttributes.IdleTimeout]);
        Assert.Equal("false", lb.Attributes[LoadBalancerAttributes.DeletionProtection]);
        Assert.Equal(h.Clock.GetUtcNow(), lb.CreatedTime);

        var entry = Assert.Single(h.Lb.LoadBalancers.Values);
        Assert.Equal(lb, entry.Record);
        Assert.Same(entry, h.Lb.FindLoadBalancer(lb.Arn));
        Assert.Same(entry, h.Lb.FindLoadBalancerByName("demo-alb"));
    }

    [Fact]
    public async Task CreateLoadBalancer_SameSettingsReturnsExisting_OtherSettingsIsDuplicateName()
    {
        await using var h = await LoadBalancingHarness.StartAsync();
        var first = await h.LoadBalancerAsync();
        var again = await h.LoadBalancerAsync();
        Assert.Equal(first, again);

        var e = await Rejects(() => h.Registry.CreateLoadBalancerAsync(new CreateLoadBalancerCommand { Name = "DEMO-alb", Subnets = ["subnet-9"] }));
        Assert.Equal(ElbErrors.DuplicateLoadBalancerName, e.Code);
        Assert.Single(h.Lb.LoadBalancers);
    }

    [Theory]
    [InlineData("")]
    [InlineData("-alb")]
    [InlineData("alb-")]
    [InlineData("alb_1")]
    [InlineData("internal-alb")]
    [InlineData("a23456789012345678901234567890123")]
    public async Task CreateLoadBalancer_BadName_IsValidationError(string name)
    {
        await using var h = await LoadBalancingHarness.StartAsync();
        var e = await Rejects(() => h.Registry.CreateLoadBalancerAsync(new CreateLoadBalancerCommand { Name = name }));
        Assert.Equal(ElbErrors.ValidationError, e.Code);
        Assert.Empty(h.Lb.LoadBalancers);
    }

    [Fact]
    public async Task CreateLoadBalancer_StrictNeedsTwoSubnets()
    {
        await using var h = await LoadBalancingHarness.StartAsync(strict: true);
        var e = await Rejects(() => h.Registry.CreateLoadBalancerAsync(new CreateLoadBalancerCommand { Name = "a", Subnets = ["subnet-1"] }));
        Assert.Equal(ElbErrors.ValidationError, e.Code);
    }

    [Fact]
    public async Task CreateTargetGroup_Http1AndGrpc_GetAwsHealthCheckDefaults()
    {
        await using var h = await LoadBalancingHarness.StartAsync();
        var http = await h.TargetGroupAsync("echo-http");
        Assert.Equal($"arn:aws:elasticloadbalancing:us-east-1:000000000000:targetgroup/echo-http/{http.Id}", http.Arn);
        Assert.Equal(ProtocolVersion.Http1, http.ProtocolVersion);
        var hc = http.HealthCheck;
        Assert.Equal((true, ElbProtocol.Http, "traffic-port", "/", 30, 5, 5, 2), (hc.Enabled, hc.Protocol, hc.Port, hc.Path, hc.IntervalSeconds, hc.TimeoutSeconds, hc.HealthyThresholdCount, hc.UnhealthyThresholdCount));
        Assert.Equal(new HealthCheckMatcher("200", null), hc.Matcher);
        Assert.Equal("300", http.Attributes[TargetGroupAttributes.DeregistrationDelay]);
        Assert.Equal("round_robin", http.Attributes[TargetGroupAttributes.Algorithm]);

        var grpc = await h.TargetGroupAsync("echo-grpc", 10080, ProtocolVersion.Grpc);
        Assert.Equal("/AWS.ALB/healthcheck", grpc.HealthCheck.Path);
        Assert.Equal(new HealthCheckMatcher(null, "12"), grpc.HealthCheck.Matcher);
        Assert.True(grpc.HealthCheck.Matcher!.Accepts(12));
        Assert.False(grpc.HealthCheck.Matcher.Accepts(0));

        var https = await h.TargetGroupAsync("secure", 443, protocol: ElbProtocol.Https);
        Assert.Equal(ElbProtocol.Https, https.HealthCheck.Protocol);

        var tcp = await h.TargetGroupAsync("raw", 9000, protocol: ElbProtocol.Tcp);
        Assert.Null(tcp.ProtocolVersion);
        Assert.Equal((ElbProtocol.Tcp, null, 10), (tcp.HealthCheck.Protocol, tcp.HealthCheck.Path, tcp.HealthCheck.TimeoutSeconds));
        Assert.Equal("source_ip", tcp.Attributes[TargetGroupAttributes.StickinessType]);
    }

    public static TheoryData<HealthCheckInput, ProtocolVersion> BadHealthChecks => new()
    {
        { new HealthCheckInput { TimeoutSeconds = 30, IntervalSeconds = 30 }, ProtocolVersion.Http1 },
        { new HealthCheckInput { IntervalSeconds = 4 }, ProtocolVersion.Http1 },
        { new HealthCheckInput { HealthyThresholdCount = 11 }, ProtocolVersion.Http1 },
        { new HealthCheckInput { Protocol = ElbProtocol.Tcp }, ProtocolVersion.Http1 },
        { new HealthCheckInput { Path = "health" }, ProtocolVersion.Http1 },
        { new HealthCheckInput { Port = "0" }, ProtocolVersion.Http1 },
        { new HealthCheckInput { Matcher = new HealthCheckMatcher("100", null) }, ProtocolVersion.Http1 },
        { new HealthCheckInput { Matcher = new HealthCheckMatcher(null, "0") }, ProtocolVersion.Http1 },
        { new HealthCheckInput { Matcher = new HealthCheckMatcher("200", null) }, ProtocolVersion.Grpc },
        { new HealthCheckInput { Matcher = new HealthCheckMatcher(null, "0-100") }, ProtocolVersion.Grpc },
    };

    [Theory]
    [MemberData(nameof(BadHealthChecks))]
    public async Task CreateTargetGroup_BadHealthCheck_IsValidationError(HealthCheckInput input, ProtocolVersion version)
    {
        await using var h = await LoadBalancingHarness.StartAsync();
        var e = await Rejects(() => h.Registry.CreateTargetGroupAsync(new CreateTargetGroupCommand
        {
            Name = "tg", Protocol = ElbProtocol.Http, ProtocolVersion = version, Port = 80, TargetType = TargetType.Ip, HealthCheck = input,
        }));
        Assert.Equal(ElbErrors.ValidationError, e.Code);
        Assert.Empty(h.Lb.TargetGroups);
    }

    [Fact]
    public async Task CreateTargetGroup_SameSettingsReturnsExisting_OtherIsDuplicate()
    {
        await using var h = await LoadBalancingHarness.StartAsync();
        var first = await h.TargetGroupAsync();
        Assert.Equal(first, await h.TargetGroupAsync());
        var e = await Rejects(() => h.TargetGroupAsync(port: 81));
        Assert.Equal(ElbErrors.DuplicateTargetGroupName, e.Code);
    }

    [Fact]
    public async Task ModifyTargetGroup_ChangesOnlyGivenHealthCheckMembers()
    {
        await using var h = await LoadBalancingHarness.StartAsync();
        var tg = await h.TargetGroupAsync();
        var modified = await h.Registry.ModifyTargetGroupAsync(tg.Arn, new HealthCheckInput { Path = "/healthz", Matcher = new HealthCheckMatcher("200-299", null) });
        Assert.Equal("/healthz", modified.HealthCheck.Path);
        Assert.True(modified.HealthCheck.Matcher!.Accepts(204));
        Assert.Equal(30, modified.HealthCheck.IntervalSeconds);
        Assert.Equal(modified, h.Lb.FindTargetGroup(tg.Arn)!.Record);
    }

    [Fact]
    public async Task TargetGroupAttributes_AreValidated_AndTyped()
    {
        await using var h = await LoadBalancingHarness.StartAsync();
        var tg = await h.TargetGroupAsync();
        await h.Registry.ModifyTargetGroupAttributesAsync(tg.Arn,
        [
            new(TargetGroupAttributes.DeregistrationDelay, "5"),
            new(TargetGroupAttributes.Algorithm, "least_outstanding_requests"),
            new(TargetGroupAttributes.StickinessEnabled, "true"),
            new(TargetGroupAttributes.LbCookieDuration, "60"),
        ]);
        var settings = h.Lb.FindTargetGroup(tg.Arn)!.Settings;
        Assert.Equal(TimeSpan.FromSeconds(5), settings.DeregistrationDelay);
        Assert.Equal(LoadBalancingAlgorithm.LeastOutstandingRequests, settings.Algorithm);
        Assert.True(settings.StickinessEnabled);
        Assert.Equal(StickinessType.LbCookie, settings.StickinessType);
        Assert.Equal(TimeSpan.FromMinutes(1), settings.LbCookieDuration);

        Assert.Equal(ElbErrors.ValidationError, (await Rejects(() => h.Registry.ModifyTargetGroupAttributesAsync(tg.Arn, [new("no.such.key", "1")]))).Code);
        Assert.Equal(ElbErrors.ValidationError, (await Rejects(() => h.Registry.ModifyTargetGroupAttributesAsync(tg.Arn, [new(TargetGroupAttributes.DeregistrationDelay, "3601")]))).Code);
        Assert.Equal(ElbErrors.ValidationError, (await Rejects(() => h.Registry.ModifyTargetGroupAttributesAsync(tg.Arn, [new(TargetGroupAttributes.SlowStart, "10")]))).Code);
        Assert.Equal(ElbErrors.InvalidConfigurationRequest, (await Rejects(() => h.Registry.ModifyTargetGroupAttributesAsync(tg.Arn, [new(TargetGroupAttributes.SlowStart, "30")]))).Code);
        Assert.Equal(ElbErrors.ValidationError, (await Rejects(() => h.Registry.ModifyTargetGroupAttributesAsync(tg.Arn,
            [new(TargetGroupAttributes.StickinessType, "app_cookie"), new(TargetGroupAttributes.AppCookieName, "AWSALBX")]))).Code);
        Assert.Equal("5", h.Lb.FindTargetGroup(tg.Arn)!.Record.Attributes[TargetGroupAttributes.DeregistrationDelay]);
    }

    [Fact]
    public async Task Listener_BindsAPortHostWide_AndAssociatesItsTargetGroups()
    {
        await using var h = await LoadBalancingHarness.StartAsync();
        var lb = await h.LoadBalancerAsync();
        var other = await h.LoadBalancerAsync("other-alb");
        var tg = await h.TargetGroupAsync();
        Assert.False(h.Lb.FindTargetGroup(tg.Arn)!.InUse);

        var listener = await h.ListenerAsync(lb, 8080, tg.Arn);
        Assert.Equal($"{lb.Arn.Replace(":loadbalancer/", ":listener/", StringComparison.Ordinal)}/{listener.Id}", listener.Arn);
        Assert.Equal($"{listener.Arn.Replace(":listener/", ":listener-rule/", StringComparison.Ordinal)}/{listener.DefaultRuleId}", listener.DefaultRuleArn);
        Assert.Equal(listener, await h.ListenerAsync(lb, 8080, tg.Arn)); // idempotent
        Assert.Equal([lb.Arn], h.Lb.FindTargetGroup(tg.Arn)!.LoadBalancerArns);
        Assert.Same(h.Lb.FindListener(listener.Arn), h.Lb.ListenerOnPort(8080));

        Assert.Equal(ElbErrors.DuplicateListener, (await Rejects(() => h.ListenerAsync(lb, 8080))).Code);
        var cross = await Rejects(() => h.ListenerAsync(other, 8080, tg.Arn));
        Assert.Equal(ElbErrors.DuplicateListener, cross.Code);
        Assert.Contains("already taken on this host", cross.Message, StringComparison.Ordinal);
        Assert.Equal(ElbErrors.TargetGroupAssociationLimit, (await Rejects(() => h.ListenerAsync(other, 8081, tg.Arn))).Code);
        Assert.Equal(ElbErrors.ResourceInUse, (await Rejects(() => h.Registry.DeleteTargetGroupAsync(tg.Arn))).Code);

        var tcp = await h.TargetGroupAsync("raw", protocol: ElbProtocol.Tcp);
        Assert.Equal(ElbErrors.IncompatibleProtocols, (await Rejects(() => h.ListenerAsync(other, 8082, tcp.Arn))).Code);
        Assert.Equal(ElbErrors.TargetGroupNotFound, (await Rejects(() => h.ListenerAsync(other, 8082, tg.Arn.Replace(tg.Id, "0123456789abcdef", StringComparison.Ordinal)))).Code);

        await h.Registry.DeleteListenerAsync(listener.Arn);
        Assert.False(h.Lb.FindTargetGroup(tg.Arn)!.InUse);
        Assert.Null(h.Lb.ListenerOnPort(8080));
        await h.Registry.DeleteTargetGroupAsync(tg.Arn);
        Assert.Null(h.Lb.FindTargetGroup(tg.Arn));
    }

    [Fact]
    public async Task ModifyListener_MovesPortAndChangesDefaultActions()
    {
        await using var h = await LoadBalancingHarness.StartAsync();
        var lb = await h.LoadBalancerAsync();
        var a = await h.TargetGroupAsync("a");
        var b = await h.TargetGroupAsync("b");
        var listener = await h.ListenerAsync(lb, 8080, a.Arn);
        await h.ListenerAsync(lb, 9090, a.Arn);

        Assert.Equal(ElbErrors.DuplicateListener, (await Rejects(() => h.Registry.ModifyListenerAsync(new ModifyListenerCommand { ListenerArn = listener.Arn, Port = 9090 }))).Code);
        var moved = await h.Registry.ModifyListenerAsync(new ModifyListenerCommand
        {
            ListenerArn = listener.Arn, Port = 8081, DefaultActions = [LoadBalancingHarness.Forward(b.Arn)],
        });
        Assert.Equal(8081, moved.Port);
        Assert.Null(h.Lb.ListenerOnPort(8080));
        Assert.Equal(moved, h.Lb.ListenerOnPort(8081)!.Record);
        Assert.True(h.Lb.FindTargetGroup(b.Arn)!.InUse);
        Assert.True(h.Lb.FindTargetGroup(a.Arn)!.InUse); // still used by the listener on 9090
    }

    [Fact]
    public async Task Https_NeedsALoadableCertificateFile()
    {
        await using var h = await LoadBalancingHarness.StartAsync();
        var lb = await h.LoadBalancerAsync();
        var tg = await h.TargetGroupAsync();
        Task<ListenerRecord> Https(params string[] certificates) => h.Registry.CreateListenerAsync(new CreateListenerCommand
        {
            LoadBalancerArn = lb.Arn, Protocol = ElbProtocol.Https, Port = 8443, CertificateArns = certificates,
            DefaultActions = [LoadBalancingHarness.Forward(tg.Arn)],
        });

        Assert.Equal(ElbErrors.ValidationError, (await Rejects(() => Https())).Code);
        Assert.Equal(ElbErrors.CertificateNotFound, (await Rejects(() => Https("arn:aws:acm:us-east-1:000000000000:certificate/x"))).Code);
        Assert.Equal(ElbErrors.CertificateNotFound, (await Rejects(() => Https("/nonexistent/cert.pem"))).Code);

        using var dir = new Portolan.Testing.TempDirectory();
        var pem = TestCertificates.WritePem(dir.Path, "site");
        var listener = await Https("file://" + pem);
        Assert.Equal([new ListenerCertificate("file://" + pem, true)], listener.Certificates.ToArray());
        Assert.Equal(SslPolicies.Default, listener.SslPolicy);
        using var loaded = ListenerCertificates.Load(listener.DefaultCertificate!.CertificateArn);
        Assert.True(loaded.HasPrivateKey);

        var separateKey = TestCertificates.WritePem(dir.Path, "split", separateKey: true);
        var all = await h.Registry.AddListenerCertificatesAsync(listener.Arn, [separateKey]);
        Assert.Equal(2, all.Length);
        Assert.Equal(ElbErrors.OperationNotPermitted, (await Rejects(() => h.Registry.RemoveListenerCertificatesAsync(listener.Arn, ["file://" + pem]))).Code);
        await h.Registry.RemoveListenerCertificatesAsync(listener.Arn, [separateKey]);
        Assert.Single(h.Lb.FindListener(listener.Arn)!.Record.Certificates);

        Assert.Equal(ElbErrors.SslPolicyNotFound, (await Rejects(() => h.Registry.ModifyListenerAsync(new ModifyListenerCommand { ListenerArn = listener.Arn, SslPolicy = "Nope" }))).Code);
        var plain = await h.Registry.ModifyListenerAsync(new ModifyListenerCommand { ListenerArn = listener.Arn, Protocol = ElbProtocol.Http });
        Assert.Empty(plain.Certificates);
        Assert.Null(plain.SslPolicy);
    }

    [Fact]
    public async Task Rules_AreOrderedByPriority_AndPrioritiesAreUniquePerListener()
    {
        await using var h = await LoadBalancingHarness.StartAsync();
        var lb = await h.LoadBalancerAsync();
        var tg = await h.TargetGroupAsync();
        var listener = await h.ListenerAsync(lb, 8080, tg.Arn);
        Task<RuleRecord> Rule(int priority, string path) => h.Registry.CreateRuleAsync(new CreateRuleCommand
        {
            ListenerArn = listener.Arn, Priority = priority, Conditions = [LoadBalancingHarness.Path(path)], Actions = [LoadBalancingHarness.Forward(tg.Arn)],
        });

        var twenty = await Rule(20, "/b/*");
        var ten = await Rule(10, "/a/*");
        Assert.Equal([10, 20], h.Lb.FindListener(listener.Arn)!.Rules.Select(r => r.Record.Priority));
        Assert.Equal(ElbErrors.PriorityInUse, (await Rejects(() => Rule(10, "/c/*"))).Code);

        // A swap is one change: valid as a whole even though each half alone would clash.
        var swapped = await h.Registry.SetRulePrioritiesAsync([new(ten.Arn, 20), new(twenty.Arn, 10)]);
        Assert.Equal(2, swapped.Count);
        Assert.Equal([twenty.Arn, ten.Arn], h.Lb.FindListener(listener.Arn)!.Rules.Select(r => r.Arn));
        Assert.Equal(ElbErrors.PriorityInUse, (await Rejects(() => h.Registry.SetRulePrioritiesAsync([new(ten.Arn, 10)]))).Code);

        Assert.Equal(ElbErrors.OperationNotPermitted, (await Rejects(() => h.Registry.DeleteRuleAsync(listener.DefaultRuleArn))).Code);
        Assert.Equal(ElbErrors.OperationNotPermitted, (await Rejects(() => h.Registry.SetRulePrioritiesAsync([new(listener.DefaultRuleArn, 5)]))).Code);
        var fixedResponse = new RuleAction { Type = ActionType.FixedResponse, FixedResponse = new FixedResponseConfig(503, "text/plain", "down") };
        await h.Registry.ModifyRuleAsync(new ModifyRuleCommand { RuleArn = listener.DefaultRuleArn, Actions = [fixedResponse] });
        Assert.Equal([fixedResponse], h.Lb.FindListener(listener.Arn)!.Record.DefaultActions.ToArray());

        await h.Registry.ModifyRuleAsync(new ModifyRuleCommand { RuleArn = ten.Arn, Conditions = [LoadBalancingHarness.Path("/z/*")] });
        Assert.Equal(["/z/*"], h.Lb.FindRule(ten.Arn)!.Record.Conditions[0].Values.ToArray());

        await h.Registry.DeleteRuleAsync(ten.Arn);
        Assert.Equal(ElbErrors.RuleNotFound, (await Rejects(() => h.Registry.DeleteRuleAsync(ten.Arn))).Code);
        Assert.Equal([twenty.Arn], h.Lb.FindListener(listener.Arn)!.Rules.Select(r => r.Arn));
    }

    [Fact]
    public async Task DeleteLoadBalancer_RemovesListenersRulesAndTags_KeepsTargetGroups()
    {
        await using var h = await LoadBalancingHarness.StartAsync();
        var lb = await h.LoadBalancerAsync();
        var tg = await h.TargetGroupAsync();
        var listener = await h.ListenerAsync(lb, 8080, tg.Arn);
        var rule = await h.Registry.CreateRuleAsync(new CreateRuleCommand
        {
            ListenerArn = listener.Arn, Priority = 1, Conditions = [LoadBalancingHarness.Path("/x")], Actions = [LoadBalancingHarness.Forward(tg.Arn)],
            Tags = [new("k", "v")],
        });
        await h.Registry.AddTagsAsync([lb.Arn, listener.Arn, tg.Arn], [new("env", "test")]);
        Assert.Equal("v", h.Lb.TagsOf(rule.Arn)["k"]);

        await h.Registry.ModifyLoadBalancerAttributesAsync(lb.Arn, [new(LoadBalancerAttributes.DeletionProtection, "true")]);
        Assert.Equal(ElbErrors.OperationNotPermitted, (await Rejects(() => h.Registry.DeleteLoadBalancerAsync(lb.Arn))).Code);
        await h.Registry.ModifyLoadBalancerAttributesAsync(lb.Arn, [new(LoadBalancerAttributes.DeletionProtection, "false")]);
        await h.Registry.DeleteLoadBalancerAsync(lb.Arn);
        await h.Registry.DeleteLoadBalancerAsync(lb.Arn); // already gone: success, as on AWS

        Assert.Empty(h.Lb.LoadBalancers);
        Assert.Empty(h.Lb.Listeners);
        Assert.Empty(h.Lb.Rules);
        Assert.Empty(h.Lb.ListenerIdsByPort);
        Assert.Equal([tg.Arn], h.Lb.Tags.Keys);
        Assert.False(h.Lb.FindTargetGroup(tg.Arn)!.InUse);
        var range = await h.Store.RangeAsync("/p/elb/");
        Assert.DoesNotContain(range.Kvs, kv => kv.Key.StartsWith("/p/elb/lsn/", StringComparison.Ordinal) || kv.Key.StartsWith("/p/elb/rule/", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Tags_AreAddedRemovedAndLimited()
    {
        await using var h = await LoadBalancingHarness.StartAsync();
        var tg = await h.TargetGroupAsync();
        await h.Registry.AddTagsAsync([tg.Arn], [new("a", "1"), new("b", null)]);
        await h.Registry.AddTagsAsync([tg.Arn], [new("a", "2")]);
        Assert.Equal(new Dictionary<string, string> { ["a"] = "2", ["b"] = "" }, h.Lb.TagsOf(tg.Arn));
        await h.Registry.RemoveTagsAsync([tg.Arn], ["a", "b"]);
        Assert.Empty(h.Lb.TagsOf(tg.Arn));

        Assert.Equal(ElbErrors.DuplicateTagKeys, (await Rejects(() => h.Registry.AddTagsAsync([tg.Arn], [new("a", "1"), new("a", "2")]))).Code);
        Assert.Equal(ElbErrors.ValidationError, (await Rejects(() => h.Registry.AddTagsAsync([tg.Arn], [new("aws:x", "1")]))).Code);
        var fifty = Enumerable.Range(0, 50).Select(i => new KeyValuePair<string, string?>($"k{i}", "v")).ToList();
        await h.Registry.AddTagsAsync([tg.Arn], fifty);
        Assert.Equal(ElbErrors.TooManyTags, (await Rejects(() => h.Registry.AddTagsAsync([tg.Arn], [new("one-more", "v")]))).Code);
        var missing = tg.Arn.Replace(tg.Id, "0123456789abcdef", StringComparison.Ordinal);
        Assert.Equal(ElbErrors.TargetGroupNotFound, (await Rejects(() => h.Registry.AddTagsAsync([missing], [new("a", "1")]))).Code);
        Assert.Equal(ElbErrors.ValidationError, (await Rejects(() => h.Registry.AddTagsAsync(["arn:aws:s3:::bucket"], [new("a", "1")]))).Code);
    }

    [Fact]
    public async Task Snapshot_SectionIsReusedWhenNothingOfItsChanged_AndSurvivesARestart()
    {
        await using var h = await LoadBalancingHarness.StartAsync();
        var lb = await h.LoadBalancerAsync();
        var tg = await h.TargetGroupAsync();
        await h.ListenerAsync(lb, 8080, tg.Arn);
        var before = h.Lb;

        await h.Store.TxnAsync(Portolan.Storage.Txn.Unconditional(Portolan.Storage.TxnOp.Put("/p/sd/unrelated", "x"u8.ToArray())));
        await h.Feed.WaitForRevisionAsync(await h.Store.GetRevisionAsync());
        Assert.Same(before, h.Lb);

        // A relist (what a restart or a compaction does) rebuilds the same state from the store.
        var range = await h.Store.RangeAsync("/p/");
        var events = range.Kvs.Select(kv => new Portolan.Storage.WatchEvent(Portolan.Storage.WatchEventType.Put, kv)).ToList();
        var rebuilt = LoadBalancingApplier.Apply(LoadBalancingSnapshot.Empty, events);
        Assert.Equal(before.LoadBalancers.Keys.Order(), rebuilt.LoadBalancers.Keys.Order());
        Assert.Equal(before.FindTargetGroup(tg.Arn)!.LoadBalancerArns, rebuilt.FindTargetGroup(tg.Arn)!.LoadBalancerArns);
        Assert.Equal(before.ListenerIdsByPort, rebuilt.ListenerIdsByPort);
        Assert.Equal(before.FindLoadBalancer(lb.Arn)!.Record, rebuilt.FindLoadBalancer(lb.Arn)!.Record);
    }
}
