using Portolan.Core.Ecs.Model;
using Portolan.Core.Ecs.Snapshots;
using Portolan.Core.Ecs.Validation;
using Portolan.Core.Registry;
using Portolan.Core.Snapshots;
using Portolan.Storage;

namespace Portolan.Core.Ecs.Registry;

public sealed partial class EcsRegistry
{
    /// <summary>
    /// Creates a service and its first deployment; the scheduler then starts its tasks. A retry with the same
    /// clientToken returns the service it created.
    /// </summary>
    public Task<EcsServiceRecord> CreateServiceAsync(CreateEcsServiceCommand cmd, CancellationToken ct = default)
    {
        var name = EcsNames.Service(cmd.ServiceName);
        var strategy = cmd.SchedulingStrategy ?? "REPLICA";
        if (strategy is not ("REPLICA" or "DAEMON")) throw EcsErrors.Invalid($"Invalid schedulingStrategy '{strategy}'. Use REPLICA or DAEMON.");
        if (cmd.DeploymentController is not (null or "ECS"))
            throw EcsErrors.Invalid($"The {cmd.DeploymentController} deployment controller is not supported; Portolan deploys with the ECS rolling update controller.");
        if (cmd.LaunchType is not null && cmd.HasCapacityProviderStrategy)
            throw EcsErrors.Invalid("Specifying both a launch type and capacity provider strategy is not supported. Remove one and try again.");
        var launchType = LaunchType(cmd.LaunchType);
        if (strategy == "REPLICA" && cmd.DesiredCount is null)
            throw EcsErrors.Invalid("desiredCount is required when the scheduling strategy is REPLICA.");
        if (cmd.DesiredCount is < 0) throw EcsErrors.Invalid("desiredCount must be 0 or more.");
        var deployment = DeploymentConfiguration(cmd.DeploymentConfiguration ?? new DeploymentConfigurationSpec());
        GracePeriod(cmd.HealthCheckGracePeriodSeconds);
        PropagateTags(cmd.PropagateTags);
        EcsTags.Validate(cmd.Tags);
        var clientToken = string.IsNullOrEmpty(cmd.ClientToken) ? null : cmd.ClientToken;

        return CommitAsync(s =>
        {
            var cluster = RequireCluster(s.Ecs, cmd.Cluster);
            var existing = s.Ecs.Service(cluster.Record.Name, name);
            if (existing is { Record.IsActive: true })
            {
                if (clientToken is not null && existing.Record.ClientToken == clientToken) return new Plan<EcsServiceRecord>(null, existing.Record);
                throw EcsErrors.Invalid("Creation of service was not idempotent.");
            }
            if (existing?.Record.Status == EcsStatus.Draining) throw EcsErrors.Invalid("Unable to Start a service that is still Draining.");
            var td = RequireActiveTaskDefinition(s.Ecs, cmd.TaskDefinition);
            CheckPlacement(td.Record, launchType, cmd.HasNetworkConfiguration);
            var guards = ServiceRules.Validate(s, td.Record, cmd.LoadBalancers, cmd.ServiceRegistries, _targetGroups, _options.StrictAws);

            var now = Now();
            var desired = strategy == "DAEMON" ? 1 : cmd.DesiredCount!.Value;
            var record = new EcsServiceRecord
            {
                Name = name, Arn = Arns.Service(cluster.Record.Name, name), Cluster = cluster.Record.Name, Status = EcsStatus.Active,
                TaskDefinitionArn = td.Record.Arn, DesiredCount = desired, CreatedAt = now, LaunchType = launchType,
                SchedulingStrategy = strategy, LoadBalancers = cmd.LoadBalancers, ServiceRegistries = cmd.ServiceRegistries,
                DeploymentConfiguration = deployment, HealthCheckGracePeriodSeconds = cmd.HealthCheckGracePeriodSeconds,
                ClientToken = clientToken, PlatformVersion = cmd.PlatformVersion, RoleArn = cmd.Role,
                EnableEcsManagedTags = cmd.EnableEcsManagedTags, EnableExecuteCommand = cmd.EnableExecuteCommand,
                PropagateTags = cmd.PropagateTags ?? "NONE", CreatedBy = $"arn:aws:iam::{_options.Account}:root",
                Deployments = [NewDeployment(td.Record.Arn, desired, launchType, now)], Extra = cmd.Extra,
            };
            var key = EcsStoreKeys.Service(cluster.Record.Name, name);
            guards.Add(Compare.ModRevisionIs(key, existing?.ModRevision ?? 0));
            guards.Add(Compare.ModRevisionIs(EcsStoreKeys.Cluster(cluster.Record.Name), cluster.ModRevision));
            var ops = new List<TxnOp> { Put(key, record), TouchMembers(cluster.Record.Name), TagsWrite(record.Arn, cmd.Tags ?? []) };
            if (existing is not null) ops.Add(TxnOp.Delete(EcsStoreKeys.Events(cluster.Record.Name, name)));
            return new Plan<EcsServiceRecord>(new Txn(guards, ops), record);
        }, ct);
    }

    /// <summary>Changes a service. A new task definition, load balancers or registries, or forceNewDeployment, start a new deployment.</summary>
    public Task<EcsServiceRecord> UpdateServiceAsync(UpdateEcsServiceCommand cmd, CancellationToken ct = default)
    {
        if (cmd.DesiredCount is < 0) throw EcsErrors.Invalid("desiredCount must be 0 or more.");
        GracePeriod(cmd.HealthCheckGracePeriodSeconds);
        PropagateTags(cmd.PropagateTags);
        return CommitAsync(s =>
        {
            var cluster = RequireCluster(s.Ecs, cmd.Cluster);
            var stored = FindService(s.Ecs, cluster.Record.Name, cmd.Service) ?? throw EcsErrors.NoService();
            var svc = stored.Record;
            if (!svc.IsActive) throw new RegistryException(EcsErrors.ServiceNotActive, "Service was not ACTIVE.");

            var td = cmd.TaskDefinition is null ? s.Ecs.TaskDefinitionByArn(svc.TaskDefinitionArn)! : RequireActiveTaskDefinition(s.Ecs, cmd.TaskDefinition);
            var lbs = cmd.LoadBalancers ?? svc.LoadBalancers;
            var registries = cmd.ServiceRegistries ?? svc.ServiceRegistries;
            if (cmd.HasNetworkConfiguration is not null || cmd.TaskDefinition is not null)
                CheckPlacement(td.Record, svc.LaunchType, cmd.HasNetworkConfiguration ?? svc.Extra?.ContainsKey("networkConfiguration") == true);
            var guards = ServiceRules.Validate(s, td.Record, lbs, registries, _targetGroups, _options.StrictAws);

            var config = svc.DeploymentConfiguration;
            if (cmd.MaximumPercent is not null || cmd.MinimumHealthyPercent is not null || cmd.CircuitBreaker is not null)
            {
                config = DeploymentConfiguration(config with
                {
                    MaximumPercent = cmd.MaximumPercent ?? config.MaximumPercent,
                    MinimumHealthyPercent = cmd.MinimumHealthyPercent ?? config.MinimumHealthyPercent,
                    CircuitBreakerEnable = cmd.CircuitBreaker?.Enable ?? config.CircuitBreakerEnable,
                    CircuitBreakerRollback = cmd.CircuitBreaker?.Rollback ?? config.CircuitBreakerRollback,
                });
            }
            var desired = svc.SchedulingStrategy == "DAEMON" ? svc.DesiredCount : cmd.DesiredCount ?? svc.DesiredCount;
            var now = Now();
            var newDeployment = cmd.ForceNewDeployment || td.Record.Arn != svc.TaskDefinitionArn
                || !lbs.SequenceEqual(svc.LoadBalancers) || !registries.SequenceEqual(svc.ServiceRegistries);
            var deployments = newDeployment
                ? [NewDeployment(td.Record.Arn, desired, svc.LaunchType, now), .. svc.Deployments.Select(d => d.Status == DeploymentStatus.Primary ? d with { Status = DeploymentStatus.Active, UpdatedAt = now } : d)]
                : svc.Deployments.Select((d, i) => i == 0 && d.DesiredCount != desired ? d with { DesiredCount = desired, UpdatedAt = now } : d).ToList();
            var record = svc with
            {
                TaskDefinitionArn = td.Record.Arn, DesiredCount = desired, LoadBalancers = lbs, ServiceRegistries = registries,
                DeploymentConfiguration = config, Deployments = deployments,
                HealthCheckGracePeriodSeconds = cmd.HealthCheckGracePeriodSeconds ?? svc.HealthCheckGracePeriodSeconds,
                EnableExecuteCommand = cmd.EnableExecuteCommand ?? svc.EnableExecuteCommand,
                EnableEcsManagedTags = cmd.EnableEcsManagedTags ?? svc.EnableEcsManagedTags,
                PropagateTags = cmd.PropagateTags ?? svc.PropagateTags,
            };
            guards.Add(Compare.ModRevisionIs(EcsStoreKeys.Service(svc.Cluster, svc.Name), stored.ModRevision));
            return new Plan<EcsServiceRecord>(new Txn(guards, [Put(EcsStoreKeys.Service(svc.Cluster, svc.Name), record)]), record);
        }, ct);
    }

    /// <summary>
    /// Starts deleting a service: DRAINING with a desired count of 0; the scheduler stops its tasks and then marks it
    /// INACTIVE. A service scaled above 0 needs <paramref name="force"/>.
    /// </summary>
    public Task<EcsServiceRecord> DeleteServiceAsync(string? clusterNameOrArn, string? service, bool force, CancellationToken ct = default) =>
        CommitAsync(s =>
        {
            var cluster = RequireCluster(s.Ecs, clusterNameOrArn);
            var stored = FindService(s.Ecs, cluster.Record.Name, service);
            if (stored is null || stored.Record.Status == EcsStatus.Inactive) throw EcsErrors.NoService();
            var svc = stored.Record;
            if (svc.Status == EcsStatus.Draining) return new Plan<EcsServiceRecord>(null, svc);
            if (svc.DesiredCount > 0 && !force) throw EcsErrors.Invalid("The service cannot be stopped while it is scaled above 0.");
            var now = Now();
            var record = svc with
            {
                Status = EcsStatus.Draining, DesiredCount = 0,
                Deployments = svc.Deployments.Select((d, i) => i == 0 ? d with { DesiredCount = 0, UpdatedAt = now } : d).ToList(),
            };
            var key = EcsStoreKeys.Service(svc.Cluster, svc.Name);
            return new Plan<EcsServiceRecord>(new Txn([Compare.ModRevisionIs(key, stored.ModRevision)], [Put(key, record)]), record);
        }, ct);

    private static Stored<TaskDefinitionRecord> RequireActiveTaskDefinition(EcsState s, string? reference)
    {
        if (string.IsNullOrEmpty(reference)) throw EcsErrors.Invalid("taskDefinition is required.");
        var td = FindTaskDefinition(s, reference) ?? throw EcsErrors.ClientError("TaskDefinition not found.");
        return td.Record.IsActive ? td : throw EcsErrors.ClientError($"TaskDefinition {td.Record.FamilyRevision} is inactive.");
    }

    /// <summary>awsvpc needs a network configuration and the others refuse one; FARGATE needs awsvpc (ECS's rules).</summary>
    private static void CheckPlacement(TaskDefinitionRecord td, string launchType, bool hasNetworkConfiguration)
    {
        if (launchType == "FARGATE" && td.NetworkMode != NetworkModes.AwsVpc)
            throw EcsErrors.Invalid("Task definition does not support launch_type FARGATE.");
        if (td.NetworkMode == NetworkModes.AwsVpc && !hasNetworkConfiguration)
            throw EcsErrors.Invalid("Network Configuration must be provided when networkMode 'awsvpc' is specified.");
        if (td.NetworkMode != NetworkModes.AwsVpc && hasNetworkConfiguration)
            throw EcsErrors.Invalid("Network Configuration is not valid for the given networkMode of this task definition.");
    }

    private static DeploymentRecord NewDeployment(string taskDefinitionArn, int desired, string launchType, DateTimeOffset now)
    {
        var id = EcsIds.NewDeploymentId();
        return new DeploymentRecord
        {
            Id = id, Status = DeploymentStatus.Primary, TaskDefinitionArn = taskDefinitionArn, DesiredCount = desired,
            CreatedAt = now, UpdatedAt = now, LaunchType = launchType,
            RolloutState = DeploymentStatus.InProgress, RolloutStateReason = $"ECS deployment {id} in progress.",
        };
    }

    private static string LaunchType(string? launchType) => launchType switch
    {
        null => "EC2",
        "EC2" or "FARGATE" or "EXTERNAL" => launchType,
        _ => throw EcsErrors.Invalid($"Invalid launchType '{launchType}'. Use EC2, FARGATE or EXTERNAL."),
    };

    private static DeploymentConfigurationSpec DeploymentConfiguration(DeploymentConfigurationSpec c)
    {
        if (c.MinimumHealthyPercent is < 0 or > 100)
            throw EcsErrors.Invalid($"minimumHealthyPercent must be between 0 and 100; it was {c.MinimumHealthyPercent}.");
        if (c.MaximumPercent < 100)
            throw EcsErrors.Invalid($"maximumPercent must be at least 100; it was {c.MaximumPercent}.");
        return c;
    }

    private static void GracePeriod(int? seconds)
    {
        if (seconds is < 0) throw EcsErrors.Invalid("healthCheckGracePeriodSeconds must be 0 or more.");
    }

    private static void PropagateTags(string? value)
    {
        if (value is not (null or "TASK_DEFINITION" or "SERVICE" or "NONE"))
            throw EcsErrors.Invalid($"Invalid propagateTags '{value}'. Use TASK_DEFINITION, SERVICE or NONE.");
    }
}
