using Portolan.Health.Probing;
using Portolan.Health.Subjects;
using Portolan.Health.Tests.Support;
using Portolan.Health.Thresholds;

namespace Portolan.Health.Tests.Scheduling;

/// <summary>The scheduler and threshold logic on a virtual clock: what is probed when, and what gets written.</summary>
public sealed class HealthSchedulerTests
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan Step = TimeSpan.FromSeconds(1);

    private static async Task<SchedulerHarness> StartAsync(int maxConcurrentProbes = 64)
    {
        var h = new SchedulerHarness(maxConcurrentProbes);
        await h.Scheduler.StartAsync(CancellationToken.None);
        return h;
    }

    [Fact]
    public async Task Probes_once_per_interval_on_the_virtual_clock()
    {
        await using var h = await StartAsync();
        await h.SetSubjectsAsync(SchedulerHarness.Subject("a", Interval), SchedulerHarness.Subject("b", TimeSpan.FromSeconds(5)));
        await h.AdvanceAsync(TimeSpan.FromSeconds(60), Step);
        Assert.Equal(6, h.Prober.CallsTo("a"));
        Assert.Equal(12, h.Prober.CallsTo("b"));
    }

    [Fact]
    public async Task Only_threshold_crossings_are_written_not_every_probe()
    {
        await using var h = await StartAsync();
        var subject = SchedulerHarness.Subject("t", Interval, healthy: 3, unhealthy: 2);
        await h.SetSubjectsAsync(subject);

        // initial -> healthy after one pass, then ten more passes: one write.
        await h.AdvanceAsync(Interval * 11, Step);
        await h.Written(1);
        Assert.Equal(11, h.Prober.CallsTo("t"));
        Assert.Equal((HealthState.Initial, HealthState.Healthy), (h.Adapter.Written.Single().From, h.Adapter.Written.Single().To));

        // One failure is not enough; the second crosses; more failures write nothing.
        h.Prober.Outcomes["t"] = ProbeOutcome.WrongStatus;
        await h.AdvanceAsync(Interval, Step);
        Assert.True(h.View.TryGet(subject.Key, out var afterOne));
        Assert.Equal((HealthState.Healthy, 1), (afterOne.State, afterOne.ConsecutiveFailures));
        await h.AdvanceAsync(Interval * 5, Step);
        await h.Written(2);
        var down = h.Adapter.Written.Last();
        Assert.Equal(HealthState.Unhealthy, down.To);
        Assert.Equal("Target.ResponseCodeMismatch", down.Reason!.Code);
        Assert.Equal("Health checks failed with these codes: [503]", down.Reason.Description);
        Assert.Equal(2, h.View.Statistics.Crossings);

        // Back up after three consecutive passes.
        h.Prober.Outcomes["t"] = ProbeOutcome.Success;
        await h.AdvanceAsync(Interval * 2, Step);
        Assert.Equal(2, h.Adapter.Written.Count);
        await h.AdvanceAsync(Interval, Step);
        await h.Written(3);
        Assert.Equal(HealthState.Healthy, h.Adapter.Written.Last().To);
        Assert.Null(h.Adapter.Written.Last().Reason);
    }

    [Fact]
    public async Task The_view_keeps_the_last_results_newest_first_with_the_reason()
    {
        await using var h = await StartAsync();
        var subject = SchedulerHarness.Subject("v", Interval, unhealthy: 2);
        await h.SetSubjectsAsync(subject);
        h.Prober.Outcomes["v"] = ProbeOutcome.Timeout;
        await h.AdvanceAsync(Interval * 12, Step);

        Assert.True(h.View.TryGet(subject.Key, out var report));
        Assert.Equal(HealthState.Unhealthy, report.State);
        Assert.Equal("Target.Timeout", report.Reason!.Code);
        Assert.Equal(10, report.Recent.Count); // HistoryLength
        Assert.All(report.Recent, r => Assert.Equal(ProbeOutcome.Timeout, r.Outcome));
        Assert.True(report.Recent[0].At >= report.Recent[^1].At);
        Assert.Equal(12, report.ConsecutiveFailures);
    }

    [Fact]
    public async Task A_hung_target_never_delays_the_others()
    {
        await using var h = await StartAsync();
        h.Prober.Hung["stuck"] = true;
        await h.SetSubjectsAsync(SchedulerHarness.Subject("stuck", Interval), SchedulerHarness.Subject("fine", Interval));
        await h.AdvanceAsync(Interval * 6, Step);
        Assert.Equal(1, h.Prober.CallsTo("stuck"));
        Assert.Equal(6, h.Prober.CallsTo("fine"));
    }

    [Fact]
    public async Task Concurrency_is_bounded_and_waiting_probes_go_when_a_slot_frees()
    {
        await using var h = await StartAsync(maxConcurrentProbes: 2);
        foreach (var id in new[] { "h1", "h2", "h3" }) h.Prober.Hung[id] = true;
        await h.SetSubjectsAsync(SchedulerHarness.Subject("h1", Interval), SchedulerHarness.Subject("h2", Interval), SchedulerHarness.Subject("h3", Interval));
        await h.AdvanceAsync(Interval, Step);
        Assert.Equal(2, h.View.Statistics.InFlight);
        Assert.Equal(2, h.Prober.Calls.Values.Sum());

        // Removing the two hung subjects cancels their probes and frees the slots for the third, which waited.
        var waiting = new[] { "h1", "h2", "h3" }.Single(id => h.Prober.CallsTo(id) == 0);
        h.Prober.Hung.Clear();
        await h.SetSubjectsAsync(SchedulerHarness.Subject(waiting, Interval));
        await SchedulerHarness.Eventually(() => h.Prober.CallsTo(waiting) == 1 && h.View.Statistics.InFlight == 0, "the waiting probe to run");
        Assert.Equal(1, h.View.Count);
    }

    [Fact]
    public async Task Removed_subjects_stop_and_leave_the_view_and_the_prober_forgets_them()
    {
        await using var h = await StartAsync();
        await h.SetSubjectsAsync(SchedulerHarness.Subject("keep", Interval), SchedulerHarness.Subject("drop", Interval));
        await h.AdvanceAsync(Interval, Step);
        await h.SetSubjectsAsync(SchedulerHarness.Subject("keep", Interval));
        await h.AdvanceAsync(Interval * 3, Step);
        Assert.Equal(1, h.Prober.CallsTo("drop"));
        Assert.Equal(4, h.Prober.CallsTo("keep"));
        Assert.False(h.View.TryGet(new SubjectKey(SubjectKind.Target, "tg", "drop"), out _));
        Assert.Contains("drop", h.Prober.Forgotten);
    }

    [Fact]
    public async Task An_endpoint_is_released_when_its_last_subject_goes()
    {
        await using var h = await StartAsync();
        // "shared" is probed by a target and by a Cloud Map instance (same host and port).
        var sharedToo = SchedulerHarness.Subject("shared", Interval) with { Key = new SubjectKey(SubjectKind.CloudMapInstance, "srv", "shared") };
        await h.SetSubjectsAsync(SchedulerHarness.Subject("shared", Interval), sharedToo, SchedulerHarness.Subject("drop", Interval));
        await h.AdvanceAsync(Interval, Step);

        await h.SetSubjectsAsync(sharedToo);
        await h.AdvanceAsync(Interval, Step);
        Assert.Equal(["drop:80"], h.Prober.Released);

        await h.SetSubjectsAsync();
        await h.AdvanceAsync(Interval, Step);
        Assert.Equal(["drop:80", "shared:80"], h.Prober.Released.Order());
    }

    [Fact]
    public async Task A_new_generation_starts_over_while_a_changed_policy_keeps_the_state()
    {
        await using var h = await StartAsync();
        h.Prober.Outcomes["g"] = ProbeOutcome.Refused;
        await h.SetSubjectsAsync(SchedulerHarness.Subject("g", Interval, unhealthy: 2));
        await h.AdvanceAsync(Interval * 2, Step);
        var key = new SubjectKey(SubjectKind.Target, "tg", "g");
        Assert.True(h.View.TryGet(key, out var down));
        Assert.Equal(HealthState.Unhealthy, down.State);

        // Same registration, a longer interval: still unhealthy, probed at the new rate.
        await h.SetSubjectsAsync(SchedulerHarness.Subject("g", Interval * 2, unhealthy: 2));
        Assert.True(h.View.TryGet(key, out var same));
        Assert.Equal(HealthState.Unhealthy, same.State);

        // Registered again: back to initial, history cleared.
        await h.SetSubjectsAsync(SchedulerHarness.Subject("g", Interval, unhealthy: 2, generation: 2));
        Assert.True(h.View.TryGet(key, out var fresh));
        Assert.Equal(HealthState.Initial, fresh.State);
        Assert.Empty(fresh.Recent);
    }

    [Fact]
    public async Task Ownership_decides_which_subjects_this_node_probes()
    {
        await using var h = await StartAsync();
        h.Ownership.NotMine["theirs"] = true;
        var mine = SchedulerHarness.Subject("mine", Interval);
        var theirs = SchedulerHarness.Subject("theirs", Interval);
        await h.SetSubjectsAsync(mine, theirs);
        await h.AdvanceAsync(Interval * 2, Step);
        Assert.Equal(2, h.Prober.CallsTo("mine"));
        Assert.Equal(0, h.Prober.CallsTo("theirs"));
        Assert.False(h.View.TryGet(theirs.Key, out _));

        // This node takes "theirs" over (its lease moved here) and gives "mine" away.
        h.Ownership.NotMine.Clear();
        h.Ownership.NotMine["mine"] = true;
        h.Ownership.Raise();
        await SchedulerHarness.Eventually(() => h.View.TryGet(theirs.Key, out _) && !h.View.TryGet(mine.Key, out _), "ownership to move");
        await h.AdvanceAsync(Interval * 2, Step);
        Assert.Equal(2, h.Prober.CallsTo("mine"));
        Assert.Equal(2, h.Prober.CallsTo("theirs"));
    }

    [Fact]
    public async Task A_subject_that_starts_unhealthy_needs_the_healthy_threshold()
    {
        await using var h = await StartAsync();
        var subject = SchedulerHarness.Subject("u", Interval, healthy: 3, start: HealthState.Unhealthy);
        await h.SetSubjectsAsync(subject);
        await h.AdvanceAsync(Interval * 2, Step);
        Assert.Empty(h.Adapter.Written);
        await h.AdvanceAsync(Interval, Step);
        await h.Written(1);
        Assert.Equal((HealthState.Unhealthy, HealthState.Healthy), (h.Adapter.Written.Single().From, h.Adapter.Written.Single().To));
    }
}
