using Portolan.Core.Ecs.Model;

namespace Portolan.Tasks.Scheduling;

/// <summary>
/// The service scheduler's decisions, as a pure function of a service, its tasks and the time (plus the little it
/// remembers in <see cref="ServiceState"/>):
/// <list type="bullet">
/// <item>keep the desired count: start what is missing, stop what is too many;</item>
/// <item>replace tasks whose container health checks fail, once the health check grace period is over;</item>
/// <item>after a failed task, wait before starting another, doubling the wait per failure (a command that cannot start
/// does not spin);</item>
/// <item>roll a new deployment out within maximumPercent (tasks running at once) and minimumHealthyPercent (healthy
/// tasks kept), old tasks stopping as new ones become healthy;</item>
/// <item>the deployment circuit breaker: after ⌈desired/2⌉ (3 to 200) failed tasks the deployment FAILED, and with
/// rollback the last COMPLETED deployment becomes primary again;</item>
/// <item>service events as ECS words them.</item>
/// </list>
/// </summary>
internal static class ServicePlanner
{
    /// <summary>The stoppedReason of a task replaced because its container health checks failed (ECS's words).</summary>
    public const string HealthCheckFailure = "Task failed container health checks";

    /// <summary>The start of the stoppedReason of a task a target group found unhealthy (the group's ARN follows).</summary>
    public const string ElbHealthCheckFailure = "Task failed ELB health checks in";

    /// <param name="unhealthyTarget">A target group that found the task's target unhealthy, the port and the group's reason
    /// (null when none did): such tasks are replaced once the grace period is over, as ECS replaces tasks failing ELB
    /// health checks; the service event gives the reason, as ECS's does.</param>
    /// <param name="targetsHealthy">Whether a task passes the health checks of the target groups it is registered in
    /// (for services with load balancers; null when there are none to ask).</param>
    public static ServicePlan Plan(EcsServiceRecord svc, IReadOnlyList<TaskRecord> tasks, Func<string, TaskDefinitionRecord?> taskDefinitions,
        DateTimeOffset now, TasksOptions options, ServiceState state, Func<TaskRecord, bool>? targetsHealthy = null,
        Func<TaskRecord, (string TargetGroupArn, int Port, string Reason)?>? unhealthyTarget = null)
    {
        var plan = new ServicePlan();
        AccountStopped(tasks, now, options, state);
        var active = tasks.Where(t => t.WantsRunning && !t.IsStopped).ToList();

        if (svc.Status == EcsStatus.Draining)
        {
            foreach (var t in active) plan.Stops.Add((t.Id, $"Scaling activity initiated by (deployment {svc.Primary.Id})"));
            if (plan.Stops.Count > 0) plan.Events.Add(Stopped(active));
            plan.Deactivate = tasks.All(t => t.IsStopped) && active.Count == 0;
            return plan;
        }
        if (svc.Status != EcsStatus.Active) return plan;

        bool HasChecks(TaskRecord t) => taskDefinitions(t.TaskDefinitionArn)?.ContainerDefinitions.Any(c => c.Essential && c.HealthCheck is not null) == true;
        // Healthy: container checks pass, and the load balancers' checks pass; with neither, 40 s RUNNING (as ECS counts).
        var behindLoadBalancer = targetsHealthy is not null && svc.LoadBalancers.Count > 0;
        bool Healthy(TaskRecord t) => t.LastStatus == EcsTaskStatus.Running
            && (!behindLoadBalancer || targetsHealthy!(t))
            && (HasChecks(t) ? t.HealthStatus == EcsHealth.Healthy
                : behindLoadBalancer || t.StartedAt is { } at && now - at >= options.UnmonitoredHealthyAfter);

        // Tasks a healthy one started after the last failure: the service can start tasks again.
        if (state.ConsecutiveFailures > 0 && active.Any(t => Healthy(t) && (t.HealthyAt ?? t.StartedAt) > state.LastFailureAt))
        {
            state.ConsecutiveFailures = 0;
            state.ThrottleReported = false;
            state.NextLaunchAt = now;
        }

        // Unhealthy tasks are replaced once the grace period is over.
        var grace = TimeSpan.FromSeconds(svc.HealthCheckGracePeriodSeconds ?? 0);
        foreach (var t in active.Where(t => t.LastStatus == EcsTaskStatus.Running && t.HealthStatus == EcsHealth.Unhealthy && t.StartedAt is { } at && now - at >= grace).ToList())
        {
            plan.Stops.Add((t.Id, HealthCheckFailure));
            plan.Events.Add($"(task {t.Id}) failed container health checks.");
            active.Remove(t);
        }

        if (unhealthyTarget is not null)
        {
            foreach (var t in active.Where(t => t.LastStatus == EcsTaskStatus.Running && t.StartedAt is { } at && now - at >= grace).ToList())
            {
                if (unhealthyTarget(t) is not var (arn, port, reason)) continue;
                plan.Stops.Add((t.Id, $"{ElbHealthCheckFailure} (target-group {arn})"));
                plan.Events.Add($"(task {t.Id}) (port {port}) is unhealthy in (target-group {arn}) due to (reason {reason}).");
                active.Remove(t);
            }
        }

        var primary = Breaker(svc, tasks, plan, now);
        var desired = svc.SchedulingStrategy == "DAEMON" ? 1 : svc.DesiredCount;
        var current = active.Where(t => t.DeploymentId == primary.Id).ToList();
        var old = active.Where(t => t.DeploymentId != primary.Id).ToList();
        var failedWithoutRollback = primary.RolloutState == DeploymentStatus.Failed;

        var launch = 0;
        if (!failedWithoutRollback)
        {
            var maxTotal = Math.Max(desired, (int)Math.Floor(desired * svc.DeploymentConfiguration.MaximumPercent / 100.0));
            launch = Math.Min(desired - current.Count, maxTotal - current.Count - old.Count);
            if (old.Count > 0)
            {
                // Old tasks that do not serve go at once; healthy ones as long as minimumHealthyPercent stays healthy.
                var minHealthy = (int)Math.Ceiling(desired * svc.DeploymentConfiguration.MinimumHealthyPercent / 100.0);
                var stoppable = current.Count(Healthy) + old.Count(Healthy) - minHealthy;
                var reason = $"Scaling activity initiated by (deployment {primary.Id})";
                var oldStops = old.Where(t => !Healthy(t)).Concat(old.Where(Healthy).Take(Math.Max(0, stoppable))).ToList();
                foreach (var t in oldStops) plan.Stops.Add((t.Id, reason));
                if (oldStops.Count > 0) plan.Events.Add(Stopped(oldStops));
            }
        }
        if (current.Count > desired)
        {
            var extra = current.OrderBy(t => t.LastStatus == EcsTaskStatus.Running ? 1 : 0).ThenBy(t => Healthy(t) ? 1 : 0)
                .ThenByDescending(t => t.StartedAt ?? t.CreatedAt).Take(current.Count - desired).ToList();
            foreach (var t in extra) plan.Stops.Add((t.Id, $"Scaling activity initiated by (deployment {primary.Id})"));
            plan.Events.Add(Stopped(extra));
        }
        if (launch > 0)
        {
            if (now >= state.NextLaunchAt) plan.Launches.Add((primary.Id, launch));
            else if (state.ConsecutiveFailures >= 3 && !state.ThrottleReported)
            {
                state.ThrottleReported = true;
                plan.Events.Add("is unable to consistently start tasks successfully. For more information, see the Troubleshooting section of the Amazon ECS Developer Guide.");
            }
        }

        Complete(svc, primary, plan, state, now, steady: old.Count == 0 && launch <= 0 && plan.Stops.Count == 0 && current.Count == desired && current.All(Healthy));
        return plan;
    }

    /// <summary>
    /// Counts tasks that stopped on their own (or failed health checks) since the last pass: each is a failure. A task
    /// counts as soon as it is on its way out (desired STOPPED with a failure's stop code), before its processes are
    /// gone, so that its replacement already waits out the backoff.
    /// </summary>
    private static void AccountStopped(IReadOnlyList<TaskRecord> tasks, DateTimeOffset now, TasksOptions options, ServiceState state)
    {
        foreach (var t in tasks)
        {
            if (t.WantsRunning || !state.Accounted.Add(t.Id) || !IsFailure(t)) continue;
            state.ConsecutiveFailures++;
            state.LastFailureAt = t.StoppedAt ?? now;
            var delay = options.RestartBackoffInitial * Math.Pow(2, Math.Min(state.ConsecutiveFailures - 1, 20));
            state.NextLaunchAt = now + (delay < options.RestartBackoffMax ? delay : options.RestartBackoffMax);
        }
    }

    /// <summary>
    /// A task that counts against the restart backoff and the deployment circuit breaker: it failed to start, its
    /// essential container exited, or it failed container or ELB health checks (ECS counts both kinds of check).
    /// </summary>
    public static bool IsFailure(TaskRecord t) =>
        t.StopCode is StopCodes.TaskFailedToStart or StopCodes.EssentialContainerExited
        || t.StoppedReason == HealthCheckFailure
        || t.StoppedReason?.StartsWith(ElbHealthCheckFailure, StringComparison.Ordinal) == true;

    /// <summary>The circuit breaker: returns the primary deployment after this pass (a rollback makes another one primary).</summary>
    private static DeploymentRecord Breaker(EcsServiceRecord svc, IReadOnlyList<TaskRecord> tasks, ServicePlan plan, DateTimeOffset now)
    {
        var primary = svc.Primary;
        var failed = Math.Max(primary.FailedTasks, tasks.Count(t => t.DeploymentId == primary.Id && !t.WantsRunning && IsFailure(t)));
        var deployments = svc.Deployments.ToList();
        if (failed != primary.FailedTasks)
        {
            primary = primary with { FailedTasks = failed };
            deployments[0] = primary;
            plan.Deployments = deployments;
            plan.ExpectedPrimary = primary.Id;
        }
        var config = svc.DeploymentConfiguration;
        var threshold = Math.Clamp((int)Math.Ceiling(svc.DesiredCount * 0.5), 3, 200);
        if (!config.CircuitBreakerEnable || primary.RolloutState != DeploymentStatus.InProgress || failed < threshold) return primary;

        primary = primary with { RolloutState = DeploymentStatus.Failed, RolloutStateReason = "ECS deployment circuit breaker: tasks failed to start.", UpdatedAt = now };
        deployments[0] = primary;
        plan.Events.Add($"(deployment {primary.Id}) deployment failed: tasks failed to start.");
        plan.Deployments = deployments;
        plan.ExpectedPrimary = svc.Primary.Id;
        var target = config.CircuitBreakerRollback ? deployments.Skip(1).FirstOrDefault(d => d.RolloutState == DeploymentStatus.Completed) : null;
        if (target is null) return primary;

        // Rolling back makes the last completed deployment primary again, IN_PROGRESS until it is steady.
        var rollback = target with
        {
            Status = DeploymentStatus.Primary, RolloutState = DeploymentStatus.InProgress, DesiredCount = svc.DesiredCount, FailedTasks = 0,
            RolloutStateReason = $"ECS deployment circuit breaker: rolling back to deploymentId {target.Id}.", RollbackOf = primary.Id, UpdatedAt = now,
        };
        plan.Deployments = [rollback, primary with { Status = DeploymentStatus.Active }, .. deployments.Skip(1).Where(d => d.Id != target.Id)];
        plan.TaskDefinitionArn = target.TaskDefinitionArn;
        plan.Events.Add($"rolling back to deployment {target.Id}.");
        return rollback;
    }

    /// <summary>A deployment completes, and the service reaches a steady state, when the primary alone runs the desired count, all healthy.</summary>
    private static void Complete(EcsServiceRecord svc, DeploymentRecord primary, ServicePlan plan, ServiceState state, DateTimeOffset now, bool steady)
    {
        if (!steady)
        {
            if (plan.Launches.Count > 0 || plan.Stops.Count > 0) state.Steady = false;
            return;
        }
        var deployments = (plan.Deployments ?? svc.Deployments).ToList();
        if (primary.RolloutState == DeploymentStatus.InProgress)
        {
            deployments[0] = primary with { RolloutState = DeploymentStatus.Completed, RolloutStateReason = $"ECS deployment {primary.Id} completed.", UpdatedAt = now };
            plan.Events.Add($"(deployment {primary.Id}) deployment completed.");
        }
        // Finished deployments leave the list once the primary is steady, as in ECS; the last FAILED one stays in view
        // (with its failedTasks) so that describe-services still shows what the circuit breaker stopped.
        var failed = deployments.Skip(1).FirstOrDefault(d => d.RolloutState == DeploymentStatus.Failed);
        List<DeploymentRecord> kept = failed is null ? [deployments[0]] : [deployments[0], failed];
        if (kept.Count != deployments.Count || primary.RolloutState == DeploymentStatus.InProgress)
        {
            plan.Deployments = kept;
            plan.ExpectedPrimary ??= svc.Primary.Id;
        }
        if (!state.Steady)
        {
            state.Steady = true;
            plan.Events.Add("has reached a steady state.");
        }
    }

    public static string Started(IEnumerable<TaskRecord> tasks) => Listed("has started", "tasks", tasks.Select(t => t.Id).ToList());

    private static string Stopped(IReadOnlyCollection<TaskRecord> tasks) => Listed("has stopped", "running tasks", tasks.Select(t => t.Id).ToList());

    private static string Listed(string verb, string noun, List<string> ids) => $"{verb} {ids.Count} {noun}: {string.Join(' ', ids.Select(id => $"(task {id})"))}.";
}
