using Portolan.Core.Ecs.Model;
using Portolan.Tasks.Scheduling;

namespace Portolan.Tasks.Tests.Scheduling;

/// <summary>The scheduler's decisions from hand-built services and tasks, on a fixed clock.</summary>
public sealed class ServicePlannerTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly TasksOptions Options = new() { UnmonitoredHealthyAfter = TimeSpan.FromSeconds(40) };

    private static readonly TaskDefinitionRecord Checked = TaskDefinition("echo", 1, withHealthCheck: true);
    private static readonly TaskDefinitionRecord CheckedV2 = TaskDefinition("echo", 2, withHealthCheck: true);
    private static readonly TaskDefinitionRecord Unchecked = TaskDefinition("plain", 1, withHealthCheck: false);

    private static TaskDefinitionRecord TaskDefinition(string family, int revision, bool withHealthCheck) => new()
    {
        Family = family, Revision = revision, Arn = $"arn:aws:ecs:us-east-1:000000000000:task-definition/{family}:{revision}",
        NetworkMode = NetworkModes.Bridge, Status = EcsStatus.Active, RegisteredAt = T0,
        ContainerDefinitions = [new ContainerDefinition
        {
            Name = "app", Image = "x", Command = ["sleep", "60"],
            HealthCheck = withHealthCheck ? new HealthCheckSpec { Command = ["CMD-SHELL", "true"] } : null,
        }],
    };

    private static TaskDefinitionRecord? Lookup(string arn) => new[] { Checked, CheckedV2, Unchecked }.FirstOrDefault(t => t.Arn == arn);

    private static DeploymentRecord Deployment(string id, TaskDefinitionRecord td, int desired, string status = DeploymentStatus.Primary, string rollout = DeploymentStatus.InProgress) => new()
    {
        Id = id, Status = status, TaskDefinitionArn = td.Arn, DesiredCount = desired, CreatedAt = T0, UpdatedAt = T0, RolloutState = rollout,
    };

    private static EcsServiceRecord Service(int desired, params DeploymentRecord[] deployments) => new()
    {
        Name = "svc", Arn = "arn:aws:ecs:us-east-1:000000000000:service/demo/svc", Cluster = "demo", Status = EcsStatus.Active,
        TaskDefinitionArn = deployments[0].TaskDefinitionArn, DesiredCount = desired, CreatedAt = T0,
        DeploymentConfiguration = new DeploymentConfigurationSpec(), Deployments = deployments,
    };

    private static int _next;

    private static TaskRecord Task(DeploymentRecord d, string lastStatus = EcsTaskStatus.Running, string health = EcsHealth.Healthy, DateTimeOffset? startedAt = null)
    {
        var id = (++_next).ToString("x32", System.Globalization.CultureInfo.InvariantCulture);
        return new TaskRecord
        {
            Id = id, Arn = "arn:aws:ecs:us-east-1:000000000000:task/demo/" + id, Cluster = "demo", TaskDefinitionArn = d.TaskDefinitionArn,
            NodeId = "n", ContainerInstanceArn = "ci", Group = "service:svc", ServiceName = "svc", DeploymentId = d.Id, StartedBy = d.Id,
            DesiredStatus = EcsTaskStatus.Running, LastStatus = lastStatus, HealthStatus = health, CreatedAt = T0,
            StartedAt = lastStatus == EcsTaskStatus.Running ? startedAt ?? T0 : null, HealthyAt = health == EcsHealth.Healthy ? startedAt ?? T0 : null, Containers = [],
        };
    }

    private static TaskRecord Failed(TaskRecord t, string stopCode = StopCodes.EssentialContainerExited) => t with
    {
        DesiredStatus = EcsTaskStatus.Stopped, LastStatus = EcsTaskStatus.Stopped, StopCode = stopCode, StoppedAt = T0, HealthStatus = EcsHealth.Unknown,
    };

    private static ServicePlan Plan(EcsServiceRecord svc, IReadOnlyList<TaskRecord> tasks, ServiceState? state = null, DateTimeOffset? now = null) =>
        ServicePlanner.Plan(svc, tasks, Lookup, now ?? T0.AddMinutes(5), Options, state ?? new ServiceState());

    [Fact]
    public void Plan_ReplacesATaskATargetGroupFoundUnhealthy_OnceTheGracePeriodIsOver()
    {
        const string Tg = "arn:aws:elasticloadbalancing:us-east-1:000000000000:targetgroup/web/0123456789abcdef";
        var d = Deployment("ecs-svc/1", Unchecked, 2);
        var sick = Task(d, health: EcsHealth.Unknown, startedAt: T0);
        var fine = Task(d, health: EcsHealth.Unknown, startedAt: T0);
        var svc = Service(2, d) with { HealthCheckGracePeriodSeconds = 60 };
        (string, int, string)? Unhealthy(TaskRecord t) => t.Id == sick.Id ? (Tg, 32768, "Health checks failed with these codes: [502]") : null;

        var early = ServicePlanner.Plan(svc, [sick, fine], Lookup, T0.AddSeconds(30), Options, new ServiceState(), _ => true, Unhealthy);
        Assert.Empty(early.Stops);

        var plan = ServicePlanner.Plan(svc, [sick, fine], Lookup, T0.AddSeconds(61), Options, new ServiceState(), _ => true, Unhealthy);
        Assert.Equal([(sick.Id, $"Task failed ELB health checks in (target-group {Tg})")], plan.Stops);
        Assert.Equal([("ecs-svc/1", 1)], plan.Launches);
        Assert.Contains($"(task {sick.Id}) (port 32768) is unhealthy in (target-group {Tg}) due to (reason Health checks failed with these codes: [502]).", plan.Events);
    }

    [Fact]
    public void Plan_TasksStoppedForFailingElbHealthChecks_CountTowardTheCircuitBreaker()
    {
        var bad = Deployment("ecs-svc/2", CheckedV2, 2);
        var good = Deployment("ecs-svc/1", Checked, 2, DeploymentStatus.Active, DeploymentStatus.Completed);
        var svc = Service(2, bad, good) with { DeploymentConfiguration = new DeploymentConfigurationSpec { CircuitBreakerEnable = true, CircuitBreakerRollback = true } };
        var elbFailed = Enumerable.Range(0, 3).Select(_ => Failed(Task(bad), stopCode: StopCodes.ServiceSchedulerInitiated) with
        {
            StoppedReason = "Task failed ELB health checks in (target-group arn:aws:elasticloadbalancing:us-east-1:000000000000:targetgroup/web/0123456789abcdef)",
        }).ToArray();
        Assert.All(elbFailed, t => Assert.True(ServicePlanner.IsFailure(t)));

        var plan = Plan(svc, elbFailed);
        var failed = plan.Deployments!.Single(d => d.Id == bad.Id);
        Assert.Equal((DeploymentStatus.Failed, 3), (failed.RolloutState, failed.FailedTasks));

        // A task stopped for scaling in is not a failure.
        Assert.False(ServicePlanner.IsFailure(Failed(Task(bad), stopCode: StopCodes.ServiceSchedulerInitiated) with { StoppedReason = "Scaling activity initiated by (deployment ecs-svc/2)" }));
    }

    [Fact]
    public void Plan_StartsWhatIsMissingAndStopsWhatIsTooMany()
    {
        var d = Deployment("ecs-svc/1", Checked, 3);
        var plan = Plan(Service(3, d), [Task(d)]);
        Assert.Equal([("ecs-svc/1", 2)], plan.Launches);
        Assert.Empty(plan.Stops);

        var running = new[] { Task(d), Task(d, EcsTaskStatus.Pending, EcsHealth.Unknown), Task(d) };
        plan = Plan(Service(1, d), running);
        Assert.Empty(plan.Launches);
        // The pending task goes first, then the newest; the oldest healthy one stays.
        Assert.Equal(2, plan.Stops.Count);
        Assert.Contains(plan.Stops, s => s.TaskId == running[1].Id);
        Assert.Contains("has stopped 2 running tasks:", plan.Events[0], StringComparison.Ordinal);
    }

    [Fact]
    public void Plan_CompletesTheDeploymentOnceSteady_WithEcsEvents()
    {
        var d = Deployment("ecs-svc/1", Checked, 2);
        var state = new ServiceState();
        var plan = Plan(Service(2, d), [Task(d), Task(d)], state);
        Assert.Equal(DeploymentStatus.Completed, Assert.Single(plan.Deployments!).RolloutState);
        Assert.Equal(["(deployment ecs-svc/1) deployment completed.", "has reached a steady state."], plan.Events);

        // Steady already: nothing to say or do on the next pass.
        var completed = Service(2, plan.Deployments![0]);
        Assert.True(Plan(completed, [Task(d), Task(d)], state).IsEmpty);
    }

    [Fact]
    public void Plan_UnmonitoredTasks_CountAsHealthyOnlyAfterRunningFortySeconds()
    {
        var d = Deployment("ecs-svc/1", Unchecked, 1);
        var task = Task(d, health: EcsHealth.Unknown, startedAt: T0);
        Assert.Null(Plan(Service(1, d), [task], now: T0.AddSeconds(39)).Deployments);
        Assert.Equal(DeploymentStatus.Completed, Plan(Service(1, d), [task], now: T0.AddSeconds(40)).Deployments![0].RolloutState);
    }

    [Fact]
    public void Plan_RollingUpdate_StartsNewTasksFirstAndStopsOldOnesAsNewOnesBecomeHealthy()
    {
        var old = Deployment("ecs-svc/1", Checked, 2, DeploymentStatus.Active, DeploymentStatus.Completed);
        var next = Deployment("ecs-svc/2", CheckedV2, 2);
        var svc = Service(2, next, old);  // minimumHealthyPercent 100, maximumPercent 200
        var oldTasks = new[] { Task(old), Task(old) };

        var plan = Plan(svc, oldTasks);
        Assert.Equal([("ecs-svc/2", 2)], plan.Launches);
        Assert.Empty(plan.Stops);

        // New tasks starting: the old ones keep serving.
        var starting = new[] { Task(next, EcsTaskStatus.Running, EcsHealth.Unknown), Task(next, EcsTaskStatus.Pending, EcsHealth.Unknown) };
        plan = Plan(svc, [.. oldTasks, .. starting]);
        Assert.Empty(plan.Launches);
        Assert.Empty(plan.Stops);

        // One new task healthy: one old task may go.
        var oneHealthy = new[] { Task(next), starting[1] };
        plan = Plan(svc, [.. oldTasks, .. oneHealthy]);
        Assert.Single(plan.Stops);
        Assert.Equal("Scaling activity initiated by (deployment ecs-svc/2)", plan.Stops[0].Reason);

        // Old tasks gone and the new ones healthy: complete, the old deployment leaves the list.
        plan = Plan(svc, [Task(next), Task(next)]);
        Assert.Equal(["ecs-svc/2"], plan.Deployments!.Select(x => x.Id));
        Assert.Equal(DeploymentStatus.Completed, plan.Deployments![0].RolloutState);
    }

    [Fact]
    public void Plan_RollingUpdate_WithoutSpareCapacity_StopsOldTasksFirst()
    {
        var old = Deployment("ecs-svc/1", Checked, 4, DeploymentStatus.Active, DeploymentStatus.Completed);
        var next = Deployment("ecs-svc/2", CheckedV2, 4);
        var svc = Service(4, next, old) with { DeploymentConfiguration = new DeploymentConfigurationSpec { MinimumHealthyPercent = 50, MaximumPercent = 100 } };
        var plan = Plan(svc, [Task(old), Task(old), Task(old), Task(old)]);
        Assert.Empty(plan.Launches);
        Assert.Equal(2, plan.Stops.Count);
    }

    [Fact]
    public void Plan_AfterFailures_WaitsLongerEachTime_AndSaysSo()
    {
        var d = Deployment("ecs-svc/1", Checked, 1);
        var svc = Service(1, d);
        var state = new ServiceState();
        var now = T0;
        var tasks = new List<TaskRecord>();
        for (var i = 1; i <= 3; i++)
        {
            tasks.Add(Failed(Task(d)));
            var plan = Plan(svc, tasks, state, now);
            Assert.Empty(plan.Launches);
            var wait = Options.RestartBackoffInitial * Math.Pow(2, i - 1);
            Assert.Equal(now + wait, state.NextLaunchAt);
            if (i == 3) Assert.Contains("is unable to consistently start tasks successfully", Assert.Single(plan.Events), StringComparison.Ordinal);
            now += wait;
            Assert.Equal([("ecs-svc/1", 1)], Plan(svc, tasks, state, now).Launches);
        }

        // A task that becomes healthy after the failures resets the backoff.
        tasks.Add(Task(d, startedAt: now + TimeSpan.FromSeconds(1)));
        Plan(svc, tasks, state, now + TimeSpan.FromSeconds(2));
        Assert.Equal(0, state.ConsecutiveFailures);
    }

    [Fact]
    public void Plan_CircuitBreaker_FailsTheDeploymentAndRollsBackToTheLastCompletedOne()
    {
        var good = Deployment("ecs-svc/1", Checked, 2, DeploymentStatus.Active, DeploymentStatus.Completed);
        var bad = Deployment("ecs-svc/2", CheckedV2, 2);
        var svc = Service(2, bad, good) with { DeploymentConfiguration = new DeploymentConfigurationSpec { CircuitBreakerEnable = true, CircuitBreakerRollback = true } };
        var tasks = new List<TaskRecord> { Task(good), Task(good), Failed(Task(bad)), Failed(Task(bad)) };

        var plan = Plan(svc, tasks);
        Assert.Equal(2, plan.Deployments![0].FailedTasks);
        Assert.Equal(DeploymentStatus.InProgress, plan.Deployments[0].RolloutState);

        tasks.Add(Failed(Task(bad, EcsTaskStatus.Pending), StopCodes.TaskFailedToStart));
        plan = Plan(svc, tasks);
        Assert.Equal(["ecs-svc/1", "ecs-svc/2"], plan.Deployments!.Select(d => d.Id));
        // The rolled-back-to deployment still runs its two healthy tasks, so it is steady (COMPLETED) at once.
        Assert.Equal((DeploymentStatus.Primary, DeploymentStatus.Completed), (plan.Deployments![0].Status, plan.Deployments![0].RolloutState));
        Assert.Equal((DeploymentStatus.Active, DeploymentStatus.Failed, 3), (plan.Deployments![1].Status, plan.Deployments![1].RolloutState, plan.Deployments![1].FailedTasks));
        Assert.Equal(good.TaskDefinitionArn, plan.TaskDefinitionArn);
        Assert.Equal(["(deployment ecs-svc/2) deployment failed: tasks failed to start.", "rolling back to deployment ecs-svc/1."], plan.Events.Take(2));
        Assert.Empty(plan.Launches);
    }

    [Fact]
    public void Plan_CircuitBreakerWithoutRollbackTarget_StopsLaunching()
    {
        var d = Deployment("ecs-svc/1", Checked, 1);
        var svc = Service(1, d) with { DeploymentConfiguration = new DeploymentConfigurationSpec { CircuitBreakerEnable = true, CircuitBreakerRollback = true } };
        var tasks = new[] { Failed(Task(d)), Failed(Task(d)), Failed(Task(d)) };
        var plan = Plan(svc, tasks, now: T0.AddHours(1));
        Assert.Equal(DeploymentStatus.Failed, plan.Deployments![0].RolloutState);
        Assert.Empty(plan.Launches);
        Assert.Empty(Plan(svc with { Deployments = plan.Deployments }, tasks, now: T0.AddHours(2)).Launches);
    }

    [Fact]
    public void Plan_ReplacesUnhealthyTasksAfterTheGracePeriod()
    {
        var d = Deployment("ecs-svc/1", Checked, 1, rollout: DeploymentStatus.Completed);
        var svc = Service(1, d) with { HealthCheckGracePeriodSeconds = 60 };
        var sick = Task(d, health: EcsHealth.Unhealthy, startedAt: T0);
        Assert.Empty(Plan(svc, [sick], now: T0.AddSeconds(59)).Stops);
        var plan = Plan(svc, [sick], now: T0.AddSeconds(60));
        Assert.Equal([(sick.Id, ServicePlanner.HealthCheckFailure)], plan.Stops);
        Assert.Equal($"(task {sick.Id}) failed container health checks.", plan.Events[0]);
        Assert.Equal([("ecs-svc/1", 1)], plan.Launches);
    }

    [Fact]
    public void Plan_DrainingService_StopsEverythingThenDeactivates()
    {
        var d = Deployment("ecs-svc/1", Checked, 0);
        var svc = Service(0, d) with { Status = EcsStatus.Draining };
        var plan = Plan(svc, [Task(d)]);
        Assert.Single(plan.Stops);
        Assert.False(plan.Deactivate);
        Assert.True(Plan(svc, [Failed(Task(d))]).Deactivate);
    }
}
