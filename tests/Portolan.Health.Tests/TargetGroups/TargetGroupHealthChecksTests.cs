using Microsoft.Extensions.DependencyInjection;
using System.Collections.Immutable;
using Portolan.Core.LoadBalancing;
using Portolan.Core.LoadBalancing.Validation;
using Portolan.Health.Matching;
using Portolan.Health.Subjects;
using Portolan.Health.TargetGroups;
using Portolan.Health.Tests.Support;
using Portolan.Testing;

namespace Portolan.Health.Tests.TargetGroups;

/// <summary>
/// Target groups in the real server: which targets are probed and how (ALB's rules), and the states and reasons the
/// engine writes for real targets — a grpc.health.v1 server, an HTTP/1.1 endpoint and a closed port.
/// </summary>
public sealed class TargetGroupHealthChecksTests(ServerHost server, ProbeTargets targets) : IClassFixture<ServerHost>, IClassFixture<ProbeTargets>
{
    private LoadBalancingRegistry Registry => server.LoadBalancing;

    private async Task<TargetGroupRecord> GroupAsync(string name, ProtocolVersion? version = null, ElbProtocol protocol = ElbProtocol.Http, HealthCheckInput? check = null) =>
        await Registry.CreateTargetGroupAsync(new CreateTargetGroupCommand
        {
            Name = name, Protocol = protocol, ProtocolVersion = version, Port = 80, VpcId = "vpc-1", TargetType = TargetType.Ip,
            HealthCheck = check ?? new HealthCheckInput(),
        });

    /// <summary>A load balancer whose listener forwards to the groups: only groups in use are health checked.</summary>
    private async Task UseAsync(string name, params TargetGroupRecord[] groups)
    {
        var lb = await Registry.CreateLoadBalancerAsync(new CreateLoadBalancerCommand { Name = name, Subnets = ["subnet-1", "subnet-2"] });
        await Registry.CreateListenerAsync(new CreateListenerCommand
        {
            LoadBalancerArn = lb.Arn, Protocol = ElbProtocol.Http, Port = FreePorts.Next(),
            DefaultActions = [new RuleAction
            {
                Type = ActionType.Forward,
                Forward = new ForwardConfig([.. groups.Select(g => new WeightedTargetGroup(g.Arn, 1))], new TargetGroupStickiness(false, null)),
            }],
        });
    }

    private Task RegisterAsync(TargetGroupRecord group, int port, string ip = "127.0.0.1") =>
        Registry.RegisterTargetsAsync(group.Arn, [new TargetDescription(ip, port)]);

    private TargetEntry Target(TargetGroupRecord group, int port, string ip = "127.0.0.1") =>
        Registry.Current.FindTargetGroup(group.Arn)!.Targets[new TargetKey(ip, port)];

    private List<HealthSubject> Collect()
    {
        var subjects = new List<HealthSubject>();
        new TargetGroupHealthChecks(Registry).Collect(server.Host.Services.GetSnapshot(), subjects);
        return subjects;
    }

    [Fact]
    public async Task Targets_are_probed_with_the_group_protocol_version_path_matcher_and_thresholds()
    {
        var http1 = await GroupAsync("spec-http1", check: new HealthCheckInput { Path = "/ready", IntervalSeconds = 10, TimeoutSeconds = 3, HealthyThresholdCount = 3, UnhealthyThresholdCount = 4, Matcher = new HealthCheckMatcher("200-299", null) });
        var http2 = await GroupAsync("spec-http2", ProtocolVersion.Http2, ElbProtocol.Https);
        var grpc = await GroupAsync("spec-grpc", ProtocolVersion.Grpc);
        var port = await GroupAsync("spec-port", check: new HealthCheckInput { Port = "9999" });
        var unused = await GroupAsync("spec-unused");
        var disabled = await GroupAsync("spec-disabled", check: new HealthCheckInput { Enabled = false });
        await UseAsync("spec-lb", http1, http2, grpc, port, disabled);
        foreach (var g in new[] { http1, http2, grpc, port, unused, disabled }) await RegisterAsync(g, 8080, "127.0.9.1");

        var subjects = Collect().Where(s => s.Key.Group.Contains("/spec-", StringComparison.Ordinal)).ToDictionary(s => s.Key.Group);
        Assert.Equal(4, subjects.Count); // not the unused group, not the one with checks off

        var h1 = subjects[http1.Arn];
        Assert.Equal(new SubjectKey(SubjectKind.Target, http1.Arn, "127.0.9.1:8080"), h1.Key);
        Assert.Equal(new ProbeSpec(ProbeProtocol.Http1, false, "127.0.9.1", 8080, "/ready", CodeMatcher.Parse("200-299"), TimeSpan.FromSeconds(3), "ELB-HealthChecker/2.0"), h1.Spec);
        Assert.Equal(new HealthPolicy(TimeSpan.FromSeconds(10), 3, 4, 1), h1.Policy);
        Assert.Equal(Portolan.Health.Thresholds.HealthState.Initial, h1.StartState);

        Assert.True(subjects[http2.Arn].Spec is { Protocol: ProbeProtocol.Http2, Tls: true, Path: "/" });
        Assert.True(subjects[grpc.Arn].Spec is { Protocol: ProbeProtocol.Grpc, Tls: false, Path: "/AWS.ALB/healthcheck" });
        Assert.Equal("12", subjects[grpc.Arn].Spec.Matcher!.Text);
        Assert.Equal(9999, subjects[port.Arn].Spec.Port);
        Assert.Equal(new HealthPolicy(TimeSpan.FromSeconds(30), 5, 2, 1), subjects[port.Arn].Policy);
    }

    [Fact]
    public async Task Real_targets_become_healthy_or_unhealthy_with_AWS_reasons()
    {
        var fast = new HealthCheckInput { IntervalSeconds = 5, TimeoutSeconds = 2, HealthyThresholdCount = 2, UnhealthyThresholdCount = 2 };
        var grpcOk = await GroupAsync("live-grpc-health", ProtocolVersion.Grpc, check: fast with { Path = "/grpc.health.v1.Health/Check", Matcher = new HealthCheckMatcher(null, "0") });
        var grpcDefault = await GroupAsync("live-grpc-default", ProtocolVersion.Grpc, check: fast with { Path = "/grpc.health.v1.Health/Check" });
        var http = await GroupAsync("live-http", check: fast with { Path = "/status/200" });
        await UseAsync("live-lb", grpcOk, grpcDefault, http);
        await RegisterAsync(grpcOk, targets.H2cPort);
        await RegisterAsync(grpcDefault, targets.H2cPort);
        await RegisterAsync(http, targets.Http1Port);
        await RegisterAsync(http, targets.ClosedPort);

        await ServerHost.Eventually(() =>
            Target(grpcOk, targets.H2cPort).Health?.State == TargetHealthState.Healthy
            && Target(http, targets.Http1Port).Health?.State == TargetHealthState.Healthy
            && Target(grpcDefault, targets.H2cPort).Health?.State == TargetHealthState.Unhealthy
            && Target(http, targets.ClosedPort).Health?.State == TargetHealthState.Unhealthy, "the targets' first crossings");

        var mismatch = Target(grpcDefault, targets.H2cPort).Health!;
        Assert.Equal(TargetHealthReason.ResponseCodeMismatch, mismatch.Reason);
        Assert.StartsWith("Health checks failed with these codes: [0]", mismatch.Description, StringComparison.Ordinal);
        Assert.Contains("GrpcCode=0", mismatch.Description, StringComparison.Ordinal);

        var refused = Target(http, targets.ClosedPort).Health!;
        Assert.Equal(TargetHealthReason.FailedHealthChecks, refused.Reason);
        Assert.Equal("Health checks failed (connection refused)", refused.Description);

        // What DescribeTargetHealth reports comes from the same records; the engine's view has the probe history.
        var group = Registry.Current.FindTargetGroup(http.Arn)!;
        Assert.Equal(TargetHealthState.Unhealthy, group.HealthOf(group.Targets[new TargetKey("127.0.0.1", targets.ClosedPort)]).State);
        Assert.True(server.View.TryGet(TargetGroupHealthChecks.KeyOf(group, new TargetKey("127.0.0.1", targets.ClosedPort)), out var report));
        Assert.All(report.Recent, r => Assert.Equal(Portolan.Health.Probing.ProbeOutcome.Refused, r.Outcome));
    }

    [Fact]
    public async Task Progress_says_which_registrations_are_in_their_first_checks()
    {
        // One refused probe is not a verdict (two are needed) and the next is 300 s away: initial, being checked.
        var group = await GroupAsync("progress", check: new HealthCheckInput { IntervalSeconds = 300, TimeoutSeconds = 2 });
        var idle = await GroupAsync("progress-idle");
        await UseAsync("progress-lb", group);
        await RegisterAsync(group, targets.ClosedPort);
        await RegisterAsync(idle, targets.ClosedPort);
        var progress = server.Host.Services.GetRequiredService<IHealthCheckProgress>();
        bool Checking(TargetGroupRecord g) => progress.IsChecking(Registry.Current.FindTargetGroup(g.Arn)!, Target(g, targets.ClosedPort));

        // From the moment the engine schedules it (its first probe may still be on the way) until a verdict.
        await ServerHost.Eventually(() => Checking(group), "the engine to take the target");
        await ServerHost.Eventually(() => server.View.TryGet(TargetGroupHealthChecks.KeyOf(Registry.Current.FindTargetGroup(group.Arn)!,
            new TargetKey("127.0.0.1", targets.ClosedPort)), out var report) && report.Recent.Count > 0, "the first (refused) probe");
        Assert.True(Checking(group));
        Assert.False(Checking(idle)); // no load balancer uses it: nobody checks it

        // Deregistered (draining for 300 s), it is no longer checked.
        await Registry.DeregisterTargetsAsync(group.Arn, [new TargetDescription("127.0.0.1", targets.ClosedPort)]);
        await ServerHost.Eventually(() => !Checking(group), "the engine to let the draining target go");
    }
}

internal static class SnapshotAccess
{
    public static Core.Snapshots.RegistrySnapshot GetSnapshot(this IServiceProvider services) =>
        Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions.GetRequiredService<Core.Snapshots.ISnapshotSource>(services).Current;
}
