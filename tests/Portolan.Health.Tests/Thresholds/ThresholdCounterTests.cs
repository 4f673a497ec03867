using Portolan.Health.Subjects;
using Portolan.Health.Thresholds;

namespace Portolan.Health.Tests.Thresholds;

public sealed class ThresholdCounterTests
{
    private static readonly HealthPolicy Alb = new(TimeSpan.FromSeconds(30), HealthyThreshold: 5, UnhealthyThreshold: 2, InitialHealthyThreshold: 1);

    [Fact]
    public void An_initial_target_is_healthy_after_one_passed_check()
    {
        var c = new ThresholdCounter(HealthState.Initial);
        Assert.True(c.Record(true, Alb));
        Assert.Equal(HealthState.Healthy, c.State);
    }

    [Fact]
    public void An_initial_target_is_unhealthy_after_the_unhealthy_threshold()
    {
        var c = new ThresholdCounter(HealthState.Initial);
        Assert.False(c.Record(false, Alb));
        Assert.Equal(HealthState.Initial, c.State);
        Assert.True(c.Record(false, Alb));
        Assert.Equal(HealthState.Unhealthy, c.State);
    }

    [Fact]
    public void Unhealthy_needs_the_healthy_threshold_of_consecutive_passes_and_a_failure_restarts_the_run()
    {
        var c = new ThresholdCounter(HealthState.Unhealthy);
        for (var i = 0; i < 4; i++) Assert.False(c.Record(true, Alb));
        Assert.False(c.Record(false, Alb));
        Assert.Equal(0, c.ConsecutiveSuccesses);
        for (var i = 0; i < 4; i++) Assert.False(c.Record(true, Alb));
        Assert.True(c.Record(true, Alb));
        Assert.Equal(HealthState.Healthy, c.State);
    }

    [Fact]
    public void Healthy_needs_consecutive_failures_and_a_pass_restarts_the_run()
    {
        var c = new ThresholdCounter(HealthState.Healthy);
        Assert.False(c.Record(false, Alb));
        Assert.False(c.Record(true, Alb));
        Assert.False(c.Record(false, Alb));
        Assert.Equal(1, c.ConsecutiveFailures);
        Assert.True(c.Record(false, Alb));
        Assert.Equal(HealthState.Unhealthy, c.State);
        Assert.False(c.Record(false, Alb));
    }

    [Fact]
    public void Cloud_Map_FailureThreshold_counts_in_both_directions()
    {
        var policy = HealthPolicy.Symmetric(TimeSpan.FromSeconds(30), 3);
        var c = new ThresholdCounter(HealthState.Healthy);
        Assert.False(c.Record(false, policy));
        Assert.False(c.Record(false, policy));
        Assert.True(c.Record(false, policy));
        Assert.False(c.Record(true, policy));
        Assert.False(c.Record(true, policy));
        Assert.True(c.Record(true, policy));
        Assert.Equal(HealthState.Healthy, c.State);
    }

    [Fact]
    public void Threshold_one_flips_on_every_opposite_result()
    {
        var policy = HealthPolicy.Symmetric(TimeSpan.FromSeconds(30), 1);
        var c = new ThresholdCounter(HealthState.Healthy);
        Assert.True(c.Record(false, policy));
        Assert.True(c.Record(true, policy));
        Assert.False(c.Record(true, policy));
    }
}
