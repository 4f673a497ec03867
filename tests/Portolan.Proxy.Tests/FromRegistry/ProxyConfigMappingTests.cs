using System.Net;
using Portolan.Core.LoadBalancing;
using Portolan.Core.LoadBalancing.Validation;
using Portolan.Proxy.Configuration;
using Portolan.Proxy.Tests.Support;
using ProxyHealth = Portolan.Proxy.Configuration.TargetHealth;
using Portolan.Testing;

namespace Portolan.Proxy.Tests.FromRegistry;

/// <summary>What the data plane is told, field by field, for what the registry holds.</summary>
public sealed class ProxyConfigMappingTests : IAsyncLifetime
{
    private RegistryProxyHost _host = null!;

    public async Task InitializeAsync() => _host = await RegistryProxyHost.StartAsync();

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task TargetGroupAttributes_AndTargets_AreMapped()
    {
        var lb = await _host.LoadBalancerAsync("map");
        var tg = await _host.TargetGroupAsync("map-grpc", 50051, ProtocolVersion.Grpc, TargetType.Instance);
        await _host.Registry.ModifyTargetGroupAttributesAsync(tg.Arn,
        [
            new(TargetGroupAttributes.Algorithm, "weighted_random"),
            new(TargetGroupAttributes.SlowStart, "60"),
            new(TargetGroupAttributes.DeregistrationDelay, "45"),
            new(TargetGroupAttributes.StickinessEnabled, "true"),
            new(TargetGroupAttributes.LbCookieDuration, "120"),
            new(TargetGroupAttributes.UnhealthyRoutingMinimumCount, "2"),
            new(TargetGroupAttributes.UnhealthyRoutingMinimumPercentage, "50"),
        ]);
        var unused = await _host.TargetGroupAsync("map-unused", 80);
        var listener = await _host.Registry.CreateListenerAsync(new CreateListenerCommand
        {
            LoadBalancerArn = lb.Arn, Protocol = ElbProtocol.Http, Port = FreePorts.Next(), DefaultActions = [RegistryProxyHost.Forward(tg.Arn)],
        });
        await _host.Registry.ModifyLoadBalancerAttributesAsync(lb.Arn, [new(LoadBalancerAttributes.IdleTimeout, "120")]);
        await _host.Registry.RegisterTargetsAsync(tg.Arn,
        [
            new TargetDescription("i-0000000000000000a"), new TargetDescription("i-0000000000000000b", 50052),
            new TargetDescription("i-0000000000000000c", 50053),
        ]);
        await _host.Registry.SetTargetHealthAsync(tg.Arn, new TargetKey("i-0000000000000000a", 50051), TargetHealthState.Healthy, null, null);
        await _host.Registry.SetTargetHealthAsync(tg.Arn, new TargetKey("i-0000000000000000b", 50052), TargetHealthState.Unhealthy, TargetHealthReason.Timeout, null);
        await _host.Registry.DeregisterTargetsAsync(tg.Arn, [new TargetDescription("i-0000000000000000c", 50053)]);

        var config = _host.Source.Current;
        Assert.Equal(_host.State.Revision, config.Version);
        var group = Assert.Single(config.TargetGroups); // only groups a listener forwards to
        Assert.NotEqual(unused.Arn, group.Id);
        Assert.Equal(tg.Arn, group.Id);
        Assert.Equal(TargetProtocolVersion.Grpc, group.ProtocolVersion);
        Assert.Equal(TargetProtocol.Http, group.Protocol);
        Assert.Equal(BalancingAlgorithm.WeightedRandom, group.Algorithm);
        Assert.Equal(TimeSpan.FromSeconds(60), group.SlowStart);
        Assert.Equal(TimeSpan.FromSeconds(45), group.DeregistrationDelay);
        Assert.Equal(TimeSpan.FromSeconds(120), group.StickinessDuration);
        Assert.Equal(2, group.MinimumHealthyTargets);
        Assert.Equal(50, group.MinimumHealthyPercentage);

        // Instance targets are this host.
        var targets = group.Targets.OrderBy(t => t.Port).ToArray();
        Assert.All(targets, t => Assert.Equal("127.0.0.1", t.Host));
        Assert.Equal([50051, 50052, 50053], targets.Select(t => t.Port));
        Assert.Equal(ProxyHealth.Healthy, targets[0].Health);
        Assert.Equal(_host.Clock.GetUtcNow(), targets[0].HealthySince);
        Assert.Equal(ProxyHealth.Unhealthy, targets[1].Health);
        Assert.True(targets[2].Draining);
        Assert.Equal(_host.Clock.GetUtcNow().AddSeconds(45), targets[2].DrainDeadline);

        var served = Assert.Single(config.Listeners);
        Assert.Equal(listener.Arn, served.Id);
        Assert.Equal(listener.Port, served.Port);
        Assert.Equal(IPAddress.Loopback, served.Address);
        Assert.Equal(ListenerProtocol.Http, served.Protocol);
        Assert.Equal(TimeSpan.FromSeconds(120), served.IdleTimeout);
        Assert.StartsWith("app/map/", served.LoadBalancerId, StringComparison.Ordinal);
        Assert.Equal(tg.Arn, Assert.Single(Assert.IsType<ForwardAction>(served.DefaultAction).TargetGroups).TargetGroupId);
    }

    [Fact]
    public async Task AppCookieStickiness_IsMapped()
    {
        var lb = await _host.LoadBalancerAsync("appcookie");
        var tg = await _host.TargetGroupAsync("appcookie-tg", 80);
        await _host.Registry.ModifyTargetGroupAttributesAsync(tg.Arn,
        [
            new(TargetGroupAttributes.StickinessEnabled, "true"),
            new(TargetGroupAttributes.StickinessType, "app_cookie"),
            new(TargetGroupAttributes.AppCookieName, "JSESSIONID"),
            new(TargetGroupAttributes.AppCookieDuration, "300"),
        ]);
        await _host.Registry.CreateListenerAsync(new CreateListenerCommand
        {
            LoadBalancerArn = lb.Arn, Protocol = ElbProtocol.Http, Port = FreePorts.Next(), DefaultActions = [RegistryProxyHost.Forward(tg.Arn)],
        });
        var group = _host.Source.Current.TargetGroups.Single(g => g.Id == tg.Arn);
        Assert.Equal("JSESSIONID", group.AppCookieName);
        Assert.Equal(TimeSpan.FromSeconds(300), group.StickinessDuration);
    }

    [Fact]
    public async Task HealthChecksOff_TargetsAreUnavailable_AndRoutable()
    {
        var lb = await _host.LoadBalancerAsync("nocheck");
        var tg = await _host.Registry.CreateTargetGroupAsync(new CreateTargetGroupCommand
        {
            Name = "nocheck-tg", Protocol = ElbProtocol.Http, Port = 80, VpcId = "vpc-1", TargetType = TargetType.Ip,
            HealthCheck = new HealthCheckInput { Enabled = false },
        });
        await _host.Registry.CreateListenerAsync(new CreateListenerCommand
        {
            LoadBalancerArn = lb.Arn, Protocol = ElbProtocol.Http, Port = FreePorts.Next(), DefaultActions = [RegistryProxyHost.Forward(tg.Arn)],
        });
        await _host.Registry.RegisterTargetsAsync(tg.Arn, [new TargetDescription("10.0.0.1")]);
        var target = Assert.Single(_host.Source.Current.TargetGroups.Single(g => g.Id == tg.Arn).Targets);
        Assert.Equal(ProxyHealth.Unavailable, target.Health);
        Assert.Equal("10.0.0.1", target.Host);
    }

    [Fact]
    public async Task UnchangedEntries_KeepTheirConfigInstances()
    {
        var lb = await _host.LoadBalancerAsync("reuse");
        var tgA = await _host.TargetGroupAsync("reuse-a", 80);
        var tgB = await _host.TargetGroupAsync("reuse-b", 81);
        await _host.Registry.CreateListenerAsync(new CreateListenerCommand
        {
            LoadBalancerArn = lb.Arn, Protocol = ElbProtocol.Http, Port = FreePorts.Next(), DefaultActions = [RegistryProxyHost.Forward(tgA.Arn, tgB.Arn)],
        });
        var before = _host.Source.Current;
        await _host.Registry.RegisterTargetsAsync(tgB.Arn, [new TargetDescription("10.0.0.2")]);
        var after = _host.Source.Current;
        Assert.NotSame(before, after);
        Assert.Same(before.TargetGroups.Single(g => g.Id == tgA.Arn), after.TargetGroups.Single(g => g.Id == tgA.Arn));
        Assert.NotSame(before.TargetGroups.Single(g => g.Id == tgB.Arn), after.TargetGroups.Single(g => g.Id == tgB.Arn));
        Assert.Same(before.Listeners.Single(l => l.LoadBalancerId.Contains("/reuse/", StringComparison.Ordinal)),
            after.Listeners.Single(l => l.LoadBalancerId.Contains("/reuse/", StringComparison.Ordinal)));
    }
}
