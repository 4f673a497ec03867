using System.Text.Json;
using Portolan.IntegrationTests.Support;

namespace Portolan.IntegrationTests.Elb;

/// <summary>register-targets, deregister-targets and describe-target-health with the real aws CLI.</summary>
public sealed class TargetTests(ElbServer server) : IClassFixture<ElbServer>
{
    private Elb Elb => server.Elb;

    private static List<string> States(JsonElement output) =>
        output.GetProperty("TargetHealthDescriptions").EnumerateArray()
            .Select(d => $"{d.GetProperty("Target").Str("Id")}:{d.GetProperty("Target").GetProperty("Port").GetInt32()}" +
                         $"={d.GetProperty("TargetHealth").Str("State")}/{d.GetProperty("TargetHealth").OptStr("Reason")}")
            .ToList();

    [Fact]
    public async Task Targets_register_as_initial_drain_on_deregistration_and_leave()
    {
        var (_, tg, _) = await server.SeedStackAsync("tgt");
        // Loopback addresses where nothing listens: the health checker is refused at once, and with the default 30 s
        // interval and two-failure threshold the targets stay initial for the whole test.
        var registered = await Elb.RunAsync("register-targets", "--target-group-arn", tg, "--targets", "Id=127.0.0.91,Port=10080", "Id=127.0.0.92,Port=10081");
        Assert.True(registered.ExitCode == 0, registered.ToString());
        Assert.Equal("", registered.StdOut.Trim());

        // Elb.RegistrationInProgress until the health checker has them (within a second), then Elb.InitialHealthChecking.
        List<string> states = [];
        await Traffic.TrafficServer.UntilAsync(async () =>
        {
            states = States(await Elb.OkAsync("describe-target-health", "--target-group-arn", tg));
            Assert.All(states, s => Assert.Matches("=initial/Elb.(RegistrationInProgress|InitialHealthChecking)$", s));
            return states.All(s => s.EndsWith("/Elb.InitialHealthChecking", StringComparison.Ordinal));
        }, () => $"initial health checking; last: {string.Join(", ", states)}");
        var health = await Elb.OkAsync("describe-target-health", "--target-group-arn", tg);
        Assert.Equal(["127.0.0.91:10080=initial/Elb.InitialHealthChecking", "127.0.0.92:10081=initial/Elb.InitialHealthChecking"], States(health));
        var first = health.GetProperty("TargetHealthDescriptions")[0];
        Assert.Equal("10080", first.Str("HealthCheckPort"));
        Assert.Equal("Initial health checks in progress", first.GetProperty("TargetHealth").Str("Description"));

        // Asking for a target that is not registered reports it, as ELB does, rather than dropping it.
        var asked = await Elb.OkAsync("describe-target-health", "--target-group-arn", tg, "--targets", "Id=127.0.0.91,Port=10080", "Id=127.0.0.99,Port=10080");
        Assert.Equal(["127.0.0.91:10080=initial/Elb.InitialHealthChecking", "127.0.0.99:10080=unused/Target.NotRegistered"], States(asked));

        // In use, with the default 300 s delay: deregistered targets drain.
        var deregistered = await Elb.RunAsync("deregister-targets", "--target-group-arn", tg, "--targets", "Id=127.0.0.91,Port=10080");
        Assert.True(deregistered.ExitCode == 0, deregistered.ToString());
        Assert.Equal(["127.0.0.91:10080=draining/Target.DeregistrationInProgress", "127.0.0.92:10081=initial/Elb.InitialHealthChecking"],
            States(await Elb.OkAsync("describe-target-health", "--target-group-arn", tg)));

        // With no delay they leave at once.
        await Elb.OkAsync("modify-target-group-attributes", "--target-group-arn", tg, "--attributes", "Key=deregistration_delay.timeout_seconds,Value=0");
        await Elb.OkAsync("deregister-targets", "--target-group-arn", tg, "--targets", "Id=127.0.0.92,Port=10081");
        Assert.Equal(["127.0.0.91:10080=draining/Target.DeregistrationInProgress"], States(await Elb.OkAsync("describe-target-health", "--target-group-arn", tg)));
    }

    [Fact]
    public async Task Targets_of_a_group_no_load_balancer_uses_are_unused()
    {
        var tg = await server.SeedTargetGroupAsync(ElbServer.Unique("idle"), port: 8080);
        await Elb.OkAsync("register-targets", "--target-group-arn", tg, "--targets", "Id=127.0.0.1", "Id=127.0.0.2,Port=9000,AvailabilityZone=all");
        var health = await Elb.OkAsync("describe-target-health", "--target-group-arn", tg);
        Assert.Equal(["127.0.0.1:8080=unused/Target.NotInUse", "127.0.0.2:9000=unused/Target.NotInUse"], States(health));
        Assert.Equal("all", health.GetProperty("TargetHealthDescriptions")[1].GetProperty("Target").Str("AvailabilityZone"));
    }

    [Fact]
    public async Task Bad_targets_are_invalid_target_and_missing_groups_not_found()
    {
        var tg = await server.SeedTargetGroupAsync(ElbServer.Unique("bad"));
        await Elb.FailsAsync("InvalidTarget", "RegisterTargets", "register-targets", "--target-group-arn", tg, "--targets", "Id=i-0123456789abcdef0");
        await Elb.FailsAsync("InvalidTarget", "RegisterTargets", "register-targets", "--target-group-arn", tg, "--targets", "Id=::1");
        await Elb.FailsAsync("InvalidTarget", "DeregisterTargets", "deregister-targets", "--target-group-arn", tg, "--targets", "Id=10.1.1.1");
        await Elb.FailsAsync("InvalidTarget", "DescribeTargetHealth", "describe-target-health", "--target-group-arn", tg, "--targets", "Id=not-an-ip");
        var missing = tg.Replace(LoadBalancerTests.ElbArnId(tg), "0123456789abcdef", StringComparison.Ordinal);
        await Elb.FailsAsync("TargetGroupNotFound", "RegisterTargets", "register-targets", "--target-group-arn", missing, "--targets", "Id=10.0.0.1");
        await Elb.FailsAsync("TargetGroupNotFound", "DescribeTargetHealth", "describe-target-health", "--target-group-arn", missing);
        Assert.Equal(0, (await Elb.OkAsync("describe-target-health", "--target-group-arn", tg)).GetProperty("TargetHealthDescriptions").GetArrayLength());
    }
}
