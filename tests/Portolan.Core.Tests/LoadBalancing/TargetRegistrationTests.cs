using Portolan.Core.LoadBalancing;
using Portolan.Core.LoadBalancing.Validation;
using Portolan.Core.Registry;

namespace Portolan.Core.Tests.LoadBalancing;

/// <summary>Registering, health, draining and deregistering targets.</summary>
public sealed class TargetRegistrationTests
{
    private static async Task<RegistryException> Rejects(Func<Task> act) => await Assert.ThrowsAsync<RegistryException>(act);

    private static async Task<(LoadBalancingHarness H, TargetGroupRecord Tg)> InUseGroupAsync(LoadBalancingOptions? options = null)
    {
        var h = await LoadBalancingHarness.StartAsync(options);
        var lb = await h.LoadBalancerAsync();
        var tg = await h.TargetGroupAsync(port: 8000);
        await h.ListenerAsync(lb, 8080, tg.Arn);
        return (h, tg);
    }

    [Fact]
    public async Task Register_StartsInitial_ThenFollowsTheHealthEngine()
    {
        var (h, tg) = await InUseGroupAsync();
        await using var owned = h;
        await h.Registry.RegisterTargetsAsync(tg.Arn, [new TargetDescription("127.0.0.1"), new TargetDescription("127.0.0.2", 9000)]);
        var group = h.Lb.FindTargetGroup(tg.Arn)!;
        Assert.Equal([new TargetKey("127.0.0.1", 8000)], group.Targets.Keys.Where(k => k.Id == "127.0.0.1"));
        var v4 = group.Targets[new TargetKey("127.0.0.1", 8000)];
        Assert.Equal(new TargetHealth(TargetHealthState.Initial, TargetHealthReason.RegistrationInProgress, "Target registration is in progress"), group.HealthOf(v4));
        Assert.Equal(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 8000), v4.EndPoint);

        Assert.True(await h.Registry.SetTargetHealthAsync(tg.Arn, v4.Key, TargetHealthState.Healthy, null, null));
        Assert.False(await h.Registry.SetTargetHealthAsync(tg.Arn, v4.Key, TargetHealthState.Healthy, null, "again"));
        group = h.Lb.FindTargetGroup(tg.Arn)!;
        Assert.Equal(TargetHealthState.Healthy, group.HealthOf(group.Targets[v4.Key]).State);
        Assert.True(group.HealthOf(group.Targets[v4.Key]).TakesTraffic);
        Assert.Equal(h.Clock.GetUtcNow(), group.Targets[v4.Key].Health!.Since);

        Assert.True(await h.Registry.SetTargetHealthAsync(tg.Arn, v4.Key, TargetHealthState.Unhealthy, TargetHealthReason.ResponseCodeMismatch, "Health checks failed with these codes: [500]"));
        group = h.Lb.FindTargetGroup(tg.Arn)!;
        Assert.Equal(new TargetHealth(TargetHealthState.Unhealthy, TargetHealthReason.ResponseCodeMismatch, "Health checks failed with these codes: [500]"), group.HealthOf(group.Targets[v4.Key]));
        Assert.False(await h.Registry.SetTargetHealthAsync(tg.Arn, new TargetKey("10.9.9.9", 1), TargetHealthState.Healthy, null, null));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => h.Registry.SetTargetHealthAsync(tg.Arn, v4.Key, TargetHealthState.Draining, null, null));

        // Registering what is registered changes nothing.
        var revision = h.Lb.Revision;
        await h.Registry.RegisterTargetsAsync(tg.Arn, [new TargetDescription("127.0.0.1")]);
        Assert.Equal(revision, h.Lb.Revision);
    }

    [Fact]
    public async Task Register_InUnusedGroup_IsUnused_AndDeregistersAtOnce()
    {
        await using var h = await LoadBalancingHarness.StartAsync();
        var tg = await h.TargetGroupAsync(type: TargetType.Instance);
        await h.Registry.RegisterTargetsAsync(tg.Arn, [new TargetDescription("i-0123456789abcdef0", 8080)]);
        var group = h.Lb.FindTargetGroup(tg.Arn)!;
        var target = Assert.Single(group.Targets.Values);
        Assert.Equal(TargetHealthState.Unused, group.HealthOf(target).State);
        Assert.Equal(TargetHealthReason.NotInUse, group.HealthOf(target).Reason);
        Assert.Equal(System.Net.IPAddress.Loopback, target.EndPoint.Address);

        await h.Registry.DeregisterTargetsAsync(tg.Arn, [new TargetDescription("i-0123456789abcdef0", 8080)]);
        Assert.Empty(h.Lb.FindTargetGroup(tg.Arn)!.Targets);
    }

    [Theory]
    [InlineData("10.0.0.256")]
    [InlineData("::1")]
    [InlineData("i-0123456789abcdef0")]
    [InlineData("10.0.0.0/8")]
    public async Task Register_BadIpTarget_IsInvalidTarget(string id)
    {
        await using var h = await LoadBalancingHarness.StartAsync();
        var tg = await h.TargetGroupAsync();
        Assert.Equal(ElbErrors.InvalidTarget, (await Rejects(() => h.Registry.RegisterTargetsAsync(tg.Arn, [new TargetDescription(id)]))).Code);
        Assert.Equal(ElbErrors.InvalidTarget, (await Rejects(() => h.Registry.RegisterTargetsAsync(tg.Arn, [new TargetDescription("10.0.0.1", 0)]))).Code);
        Assert.Empty(h.Lb.FindTargetGroup(tg.Arn)!.Targets);
    }

    [Fact]
    public async Task Register_BeyondTheQuota_IsTooManyTargets()
    {
        var (h, tg) = await InUseGroupAsync(new LoadBalancingOptions { MaxTargetsPerTargetGroup = 2 });
        await using var owned = h;
        await h.Registry.RegisterTargetsAsync(tg.Arn, [new TargetDescription("10.0.0.1"), new TargetDescription("10.0.0.2")]);
        var e = await Rejects(() => h.Registry.RegisterTargetsAsync(tg.Arn, [new TargetDescription("10.0.0.1"), new TargetDescription("10.0.0.3")]));
        Assert.Equal(ElbErrors.TooManyTargets, e.Code);
        Assert.Equal(2, h.Lb.FindTargetGroup(tg.Arn)!.Targets.Count);
    }

    [Fact]
    public async Task Deregister_DrainsUntilTheDelay_ThenTheTargetIsGone()
    {
        var (h, tg) = await InUseGroupAsync();
        await using var owned = h;
        await h.Registry.ModifyTargetGroupAttributesAsync(tg.Arn, [new(TargetGroupAttributes.DeregistrationDelay, "30")]);
        await h.Registry.RegisterTargetsAsync(tg.Arn, [new TargetDescription("10.0.0.1"), new TargetDescription("10.0.0.2")]);
        var key = new TargetKey("10.0.0.1", 8000);
        await h.Registry.SetTargetHealthAsync(tg.Arn, key, TargetHealthState.Healthy, null, null);
        var start = h.Clock.GetUtcNow();

        await h.Registry.DeregisterTargetsAsync(tg.Arn, [new TargetDescription("10.0.0.1")]);
        var group = h.Lb.FindTargetGroup(tg.Arn)!;
        var draining = group.Targets[key];
        Assert.Equal(new TargetHealth(TargetHealthState.Draining, TargetHealthReason.DeregistrationInProgress, "Target deregistration is in progress"), group.HealthOf(draining));
        Assert.False(group.HealthOf(draining).TakesTraffic);
        Assert.Equal(start, draining.Record.DrainingSince);
        Assert.Equal(start.AddSeconds(30), draining.Record.DrainingDeadline);
        Assert.Null(draining.Health);
        Assert.False(await h.Registry.SetTargetHealthAsync(tg.Arn, key, TargetHealthState.Unhealthy, TargetHealthReason.Timeout, null));

        // Deregistering again keeps the first deadline.
        await h.Registry.DeregisterTargetsAsync(tg.Arn, [new TargetDescription("10.0.0.1")]);
        Assert.Equal(start.AddSeconds(30), h.Lb.FindTargetGroup(tg.Arn)!.Targets[key].Record.DrainingDeadline);

        h.Clock.Advance(TimeSpan.FromSeconds(29));
        Assert.True(h.Lb.FindTargetGroup(tg.Arn)!.Targets.ContainsKey(key));
        h.Clock.Advance(TimeSpan.FromSeconds(2));
        await h.WaitUntilAsync(s => !s.FindTargetGroup(tg.Arn)!.Targets.ContainsKey(key));
        Assert.Equal([new TargetKey("10.0.0.2", 8000)], h.Lb.FindTargetGroup(tg.Arn)!.Targets.Keys);

        Assert.Equal(ElbErrors.InvalidTarget, (await Rejects(() => h.Registry.DeregisterTargetsAsync(tg.Arn, [new TargetDescription("10.0.0.1")]))).Code);
    }

    [Fact]
    public async Task RegisterAgain_WhileDraining_CancelsTheDrain()
    {
        var (h, tg) = await InUseGroupAsync();
        await using var owned = h;
        await h.Registry.RegisterTargetsAsync(tg.Arn, [new TargetDescription("10.0.0.1")]);
        await h.Registry.DeregisterTargetsAsync(tg.Arn, [new TargetDescription("10.0.0.1")]);
        await h.Registry.RegisterTargetsAsync(tg.Arn, [new TargetDescription("10.0.0.1")]);
        var key = new TargetKey("10.0.0.1", 8000);
        var group = h.Lb.FindTargetGroup(tg.Arn)!;
        Assert.Equal(TargetHealthState.Initial, group.HealthOf(group.Targets[key]).State);

        // The drain's lease expiring later takes nothing with it.
        h.Clock.Advance(TimeSpan.FromSeconds(301));
        await h.Registry.RegisterTargetsAsync(tg.Arn, [new TargetDescription("10.0.0.9")]);
        await h.WaitUntilAsync(s => s.FindTargetGroup(tg.Arn)!.Targets.Count == 2);
        Assert.True(h.Lb.FindTargetGroup(tg.Arn)!.Targets.ContainsKey(key));
    }

    [Fact]
    public async Task Deregister_WithZeroDelay_RemovesAtOnce()
    {
        var (h, tg) = await InUseGroupAsync();
        await using var owned = h;
        await h.Registry.ModifyTargetGroupAttributesAsync(tg.Arn, [new(TargetGroupAttributes.DeregistrationDelay, "0")]);
        await h.Registry.RegisterTargetsAsync(tg.Arn, [new TargetDescription("10.0.0.1")]);
        await h.Registry.DeregisterTargetsAsync(tg.Arn, [new TargetDescription("10.0.0.1")]);
        Assert.Empty(h.Lb.FindTargetGroup(tg.Arn)!.Targets);
    }

    [Fact]
    public async Task DeleteTargetGroup_TakesItsTargetsAndHealth()
    {
        await using var h = await LoadBalancingHarness.StartAsync();
        var tg = await h.TargetGroupAsync();
        await h.Registry.RegisterTargetsAsync(tg.Arn, [new TargetDescription("10.0.0.1")]);
        await h.Registry.DeleteTargetGroupAsync(tg.Arn);
        Assert.Empty(h.Lb.TargetGroups);
        Assert.Empty((await h.Store.RangeAsync("/p/elb/tgt")).Kvs);
    }
}
