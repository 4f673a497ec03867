using Microsoft.Extensions.Time.Testing;
using Portolan.Proxy.Balancing;
using Portolan.Proxy.Configuration;
using Portolan.Proxy.Tests.Support;

namespace Portolan.Proxy.Tests.Balancing;

/// <summary>Picking, slow start and drain deadlines on a virtual clock (no sockets are opened: pools connect lazily).</summary>
public sealed class TargetGroupStateTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero));

    private static TargetConfig Target(int port, TargetHealth health = TargetHealth.Healthy) => new() { Host = "127.0.0.1", Port = port, Health = health };

    private Dictionary<int, int> Spread(TargetGroupState group, int picks)
    {
        var counts = new Dictionary<int, int>();
        var context = new TestRequest();
        for (var i = 0; i < picks; i++)
        {
            var target = group.Pick(context, out _)!;
            target.Exit();
            counts[target.Port] = counts.GetValueOrDefault(target.Port) + 1;
        }
        return counts;
    }

    [Fact]
    public void SlowStart_NewTargetRampsUpLinearly()
    {
        using var group = new TargetGroupState("tg", _time, new Random(7));
        var config = new TargetGroupConfig { Id = "tg", SlowStart = TimeSpan.FromSeconds(100), Targets = [Target(1), Target(2, TargetHealth.Initial)] };
        group.Apply(config with { Targets = [config.Targets[0] with { HealthySince = _time.GetUtcNow().AddHours(-1) }, config.Targets[1]] });

        // Target 2 turns healthy now: it starts with (almost) nothing and reaches its full share after the window.
        group.Apply(config with { Targets = [config.Targets[0] with { HealthySince = _time.GetUtcNow().AddHours(-1) }, Target(2)] });
        var start = Spread(group, 2000);
        Assert.InRange(start.GetValueOrDefault(2), 0, 60);

        _time.Advance(TimeSpan.FromSeconds(50));
        var half = Spread(group, 2000);
        Assert.InRange(half[2], 350, 650); // half the window: about half of its round-robin share (1000)

        _time.Advance(TimeSpan.FromSeconds(51));
        Assert.Equal(1000, Spread(group, 2000)[2]);
    }

    [Fact]
    public void DrainDeadline_CutsInFlight_WhenTheClockReachesIt()
    {
        using var group = new TargetGroupState("tg", _time, Random.Shared);
        group.Apply(new TargetGroupConfig { Id = "tg", Targets = [Target(1), Target(2)] });
        var context = new TestRequest();
        var busy = group.Pick(context, out _)!;

        var deadline = _time.GetUtcNow().AddSeconds(300);
        group.Apply(new TargetGroupConfig
        {
            Id = "tg",
            Targets = [.. new[] { Target(1), Target(2) }.Select(t => t.Port == busy.Port ? t with { Draining = true, DrainDeadline = deadline } : t)],
        });
        Assert.All(Enumerable.Range(0, 10).Select(i => group.Pick(context, out _)!), t =>
        {
            Assert.NotEqual(busy.Port, t.Port);
            t.Exit();
        });
        Assert.False(busy.Aborted.IsCancellationRequested);

        _time.Advance(TimeSpan.FromSeconds(299));
        Assert.False(busy.Aborted.IsCancellationRequested);
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.True(busy.Aborted.IsCancellationRequested);
        busy.Exit();
        Assert.True(busy.IsRetired);
    }

    [Fact]
    public void Draining_WithNothingInFlight_EndsAtOnce()
    {
        using var group = new TargetGroupState("tg", _time, Random.Shared);
        group.Apply(new TargetGroupConfig { Id = "tg", Targets = [Target(1)] });
        var target = group.View.Candidates[0];
        group.Apply(new TargetGroupConfig { Id = "tg", Targets = [Target(1) with { Draining = true, DrainDeadline = _time.GetUtcNow().AddSeconds(300) }] });
        Assert.True(target.IsRetired);
        Assert.False(target.Aborted.IsCancellationRequested);
        Assert.Null(group.Pick(new TestRequest(), out _));
    }

    [Fact]
    public void Reregistered_AfterDraining_GetsAFreshTarget()
    {
        using var group = new TargetGroupState("tg", _time, Random.Shared);
        group.Apply(new TargetGroupConfig { Id = "tg", Targets = [Target(1)] });
        var first = group.View.Candidates[0];
        group.Apply(new TargetGroupConfig { Id = "tg", Targets = [Target(1) with { Draining = true }] });
        group.Apply(new TargetGroupConfig { Id = "tg", Targets = [Target(1)] });
        var second = group.Pick(new TestRequest(), out _)!;
        Assert.NotSame(first, second);
        Assert.False(second.IsRetired);
        second.Exit();
    }

    [Fact]
    public void Pick_DoesNotAllocate()
    {
        using var group = new TargetGroupState("tg", _time, Random.Shared);
        group.Apply(new TargetGroupConfig { Id = "tg", Algorithm = BalancingAlgorithm.LeastOutstandingRequests, StickinessDuration = TimeSpan.FromHours(1), Targets = [Target(1), Target(2), Target(3)] });
        var context = new TestRequest { Headers = [("Cookie", "a=b"), ("cookie", "x=y; AWSALB=" + group.View.Candidates[1].CookieValue + "; c=d")] };
        Assert.Equal(2, group.Pick(context, out var stuck)!.Port);
        Assert.True(stuck);
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1000; i++) group.Pick(context, out _)!.Exit();
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
