using System.Text.Json;
using Portolan.Api.Edge;
using Portolan.Core.Ecs;
using Portolan.Core.Ecs.Model;
using Portolan.Core.Ecs.Registry;

namespace Portolan.Api.Ecs;

internal sealed partial class EcsService
{
    private async ValueTask CreateService(AwsCall call, Utf8JsonWriter w, CancellationToken ct)
    {
        var r = Parse(call, EcsJsonContext.Default.CreateServiceRequest);
        if (EcsInput.HasServiceConnect(r.ServiceConnectConfiguration)) throw ServiceConnectUnsupported();
        if (EcsInput.HasCapacityProviders(r.CapacityProviderStrategy)) throw NoCapacityProviders();
        var extra = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        Record(extra, "placementConstraints", r.PlacementConstraints);
        Record(extra, "placementStrategy", r.PlacementStrategy);
        var hasNetwork = EcsInput.HasNetworkConfiguration(r.NetworkConfiguration);
        if (hasNetwork) Record(extra, "networkConfiguration", r.NetworkConfiguration);

        var svc = await _registry.CreateServiceAsync(new CreateEcsServiceCommand
        {
            Cluster = EcsInput.Str(r.Cluster), ServiceName = EcsInput.Str(r.ServiceName) ?? throw Invalid("serviceName is required."),
            TaskDefinition = EcsInput.Str(r.TaskDefinition), DesiredCount = r.DesiredCount,
            LoadBalancers = EcsInput.LoadBalancers(r.LoadBalancers), ServiceRegistries = EcsInput.ServiceRegistries(r.ServiceRegistries),
            LaunchType = EcsInput.Str(r.LaunchType), DeploymentConfiguration = EcsInput.DeploymentConfiguration(r.DeploymentConfiguration),
            HealthCheckGracePeriodSeconds = r.HealthCheckGracePeriodSeconds, SchedulingStrategy = EcsInput.Str(r.SchedulingStrategy),
            DeploymentController = EcsInput.Str(r.DeploymentController?.Type), HasNetworkConfiguration = hasNetwork,
            ClientToken = EcsInput.Str(r.ClientToken), PlatformVersion = EcsInput.Str(r.PlatformVersion), Role = EcsInput.Str(r.Role),
            EnableEcsManagedTags = r.EnableECSManagedTags ?? false, EnableExecuteCommand = r.EnableExecuteCommand ?? false,
            PropagateTags = EcsInput.Str(r.PropagateTags), Tags = EcsInput.Tags(r.Tags), Extra = extra.Count == 0 ? null : extra,
        }, ct);
        w.WriteStartObject();
        w.WritePropertyName("service");
        _writer.Service(w, Snapshot, svc, withTags: true);
        w.WriteEndObject();
    }

    private ValueTask DescribeServices(AwsCall call, Utf8JsonWriter w)
    {
        var r = Parse(call, EcsJsonContext.Default.DescribeServicesRequest);
        if (r.Services is not { Count: > 0 }) throw Invalid("services is required.");
        if (r.Services.Count > 10) throw Invalid("services can list at most 10 services.");
        var s = Snapshot;
        var cluster = EcsRegistry.ClusterName(r.Cluster);
        if (cluster is null || s.Ecs.Cluster(cluster) is null) throw new AwsServiceException(EcsErrors.ClusterNotFound, "Cluster not found.");
        var failures = new List<(string, string)>();
        w.WriteStartObject();
        w.WriteStartArray("services");
        foreach (var name in r.Services)
        {
            if (EcsRegistry.FindService(s.Ecs, cluster, name) is { } svc) _writer.Service(w, s, svc.Record, Includes(r.Include, "TAGS"));
            else failures.Add((name.StartsWith("arn:", StringComparison.Ordinal) ? name : _registry.Arns.Service(cluster, name), "MISSING"));
        }
        w.WriteEndArray();
        EcsWriter.Failures(w, failures);
        w.WriteEndObject();
        return ValueTask.CompletedTask;
    }

    private ValueTask ListServices(AwsCall call, Utf8JsonWriter w)
    {
        var r = Parse(call, EcsJsonContext.Default.ListRequest);
        var s = Snapshot;
        var cluster = EcsRegistry.RequireCluster(s.Ecs, r.Cluster).Record.Name;
        var arns = s.Ecs.Services.Values.Select(v => v.Record)
            .Where(v => v.Cluster == cluster && v.Status != EcsStatus.Inactive)
            .Where(v => r.LaunchType is null || v.LaunchType == r.LaunchType)
            .Where(v => r.SchedulingStrategy is null || v.SchedulingStrategy == r.SchedulingStrategy)
            .Select(v => v.Arn).Order(StringComparer.Ordinal);
        // ECS returns 10 services per page unless asked for more.
        var (page, next) = EcsPaging.Page(arns, a => a, r.NextToken, r.MaxResults, defaultMax: 10);
        w.WriteStartObject();
        EcsWriter.Strings(w, "serviceArns", page);
        if (next is not null) w.WriteString("nextToken", next);
        w.WriteEndObject();
        return ValueTask.CompletedTask;
    }

    private async ValueTask UpdateService(AwsCall call, Utf8JsonWriter w, CancellationToken ct)
    {
        var r = Parse(call, EcsJsonContext.Default.UpdateServiceRequest);
        if (EcsInput.HasServiceConnect(r.ServiceConnectConfiguration)) throw ServiceConnectUnsupported();
        if (EcsInput.HasCapacityProviders(r.CapacityProviderStrategy)) throw NoCapacityProviders();
        var config = r.DeploymentConfiguration;
        var svc = await _registry.UpdateServiceAsync(new UpdateEcsServiceCommand
        {
            Cluster = EcsInput.Str(r.Cluster), Service = Required(r.Service, "service"), DesiredCount = r.DesiredCount,
            TaskDefinition = EcsInput.Str(r.TaskDefinition),
            MaximumPercent = config?.MaximumPercent is null or 0 ? null : config.MaximumPercent, MinimumHealthyPercent = config?.MinimumHealthyPercent,
            CircuitBreaker = config?.DeploymentCircuitBreaker is { } cb ? (cb.Enable ?? false, cb.Rollback ?? false) : null,
            ForceNewDeployment = r.ForceNewDeployment ?? false, HealthCheckGracePeriodSeconds = r.HealthCheckGracePeriodSeconds,
            LoadBalancers = r.LoadBalancers is null ? null : EcsInput.LoadBalancers(r.LoadBalancers),
            ServiceRegistries = r.ServiceRegistries is null ? null : EcsInput.ServiceRegistries(r.ServiceRegistries),
            EnableExecuteCommand = r.EnableExecuteCommand, EnableEcsManagedTags = r.EnableECSManagedTags, PropagateTags = EcsInput.Str(r.PropagateTags),
            HasNetworkConfiguration = r.NetworkConfiguration is null ? null : EcsInput.HasNetworkConfiguration(r.NetworkConfiguration),
        }, ct);
        w.WriteStartObject();
        w.WritePropertyName("service");
        _writer.Service(w, Snapshot, svc, withTags: false);
        w.WriteEndObject();
    }

    private async ValueTask DeleteService(AwsCall call, Utf8JsonWriter w, CancellationToken ct)
    {
        var r = Parse(call, EcsJsonContext.Default.DeleteServiceRequest);
        var svc = await _registry.DeleteServiceAsync(EcsInput.Str(r.Cluster), Required(r.Service, "service"), r.Force ?? false, ct);
        w.WriteStartObject();
        w.WritePropertyName("service");
        _writer.Service(w, Snapshot, svc, withTags: false);
        w.WriteEndObject();
    }

    private static void Record(Dictionary<string, JsonElement> extra, string name, JsonElement? value)
    {
        if (JsonPrune.Clean(value) is { } cleaned) extra[name] = cleaned;
    }

    private static AwsServiceException ServiceConnectUnsupported() =>
        Invalid("Service Connect is not supported by Portolan: register the service in Cloud Map with serviceRegistries (DNS and DiscoverInstances) instead.");

    private static AwsServiceException NoCapacityProviders() =>
        Invalid("The specified capacity provider strategy cannot contain a capacity provider that is not associated with the cluster. Portolan clusters have no capacity providers: use launchType.");
}
