using System.Text.Json;
using Portolan.Api.Edge;
using Portolan.Core.Discovery;
using Portolan.Core.Registry;

namespace Portolan.Api.CloudMap;

internal sealed partial class CloudMapService
{
    private async ValueTask RegisterInstance(AwsCall call, Utf8JsonWriter w, CancellationToken ct)
    {
        var r = Parse(call, CloudMapJsonContext.Default.RegisterInstanceRequest);
        var serviceId = Required(r.ServiceId, "serviceId");
        var instanceId = Required(r.InstanceId, "instanceId");
        if (r.Attributes is null) throw Invalid("1 validation error detected: Value null at 'attributes' failed to satisfy constraint: Member must not be null");
        var opId = await _registry.RegisterInstanceAsync(new RegisterInstanceCommand(serviceId, instanceId, r.Attributes, r.CreatorRequestId), ct);
        WriteOperationId(w, opId);
    }

    private async ValueTask DeregisterInstance(AwsCall call, Utf8JsonWriter w, CancellationToken ct)
    {
        var r = Parse(call, CloudMapJsonContext.Default.InstanceRequest);
        var opId = await _registry.DeregisterInstanceAsync(Required(r.ServiceId, "serviceId"), Required(r.InstanceId, "instanceId"), ct);
        WriteOperationId(w, opId);
    }

    private ValueTask GetInstance(AwsCall call, Utf8JsonWriter w)
    {
        var r = Parse(call, CloudMapJsonContext.Default.InstanceRequest);
        var svc = FindService(Required(r.ServiceId, "serviceId"));
        var id = Required(r.InstanceId, "instanceId");
        if (!svc.Instances.TryGetValue(id, out var instance)) throw NotFound(ErrorCodes.InstanceNotFound, $"Instance {id} not found in service {svc.Id}.");
        w.WriteStartObject();
        w.WriteStartObject("Instance");
        w.WriteString("Id", instance.Id);
        if (instance.Record.CreatorRequestId is not null) w.WriteString("CreatorRequestId", instance.Record.CreatorRequestId);
        CloudMapWriter.StringMap(w, "Attributes", instance.Record.Attributes);
        w.WriteEndObject();
        w.WriteEndObject();
        return ValueTask.CompletedTask;
    }

    private ValueTask ListInstances(AwsCall call, Utf8JsonWriter w)
    {
        var r = Parse(call, CloudMapJsonContext.Default.ListInstancesRequest);
        var svc = FindService(Required(r.ServiceId, "serviceId"));
        var (page, next) = Paging.Page(svc.Instances.Values, i => i.Id, r.NextToken, r.MaxResults);
        w.WriteStartObject();
        w.WriteStartArray("Instances");
        foreach (var i in page)
        {
            w.WriteStartObject();
            w.WriteString("Id", i.Id);
            CloudMapWriter.StringMap(w, "Attributes", i.Record.Attributes);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        if (next is not null) w.WriteString("NextToken", next);
        w.WriteEndObject();
        return ValueTask.CompletedTask;
    }

    private ValueTask GetInstancesHealthStatus(AwsCall call, Utf8JsonWriter w)
    {
        var r = Parse(call, CloudMapJsonContext.Default.ListInstancesRequest);
        var svc = FindService(Required(r.ServiceId, "serviceId"));
        List<string> ids;
        string? next = null;
        if (r.Instances is { Count: > 0 })
        {
            foreach (var id in r.Instances)
            {
                if (!svc.Instances.ContainsKey(id)) throw NotFound(ErrorCodes.InstanceNotFound, $"Instance {id} not found in service {svc.Id}.");
            }
            (ids, next) = Paging.Page(r.Instances.Distinct().Order(StringComparer.Ordinal), i => i, r.NextToken, r.MaxResults);
        }
        else
        {
            (ids, next) = Paging.Page(svc.Instances.Keys, i => i, r.NextToken, r.MaxResults);
        }
        w.WriteStartObject();
        w.WriteStartObject("Status");
        foreach (var id in ids) w.WriteString(id, CloudMapWriter.Wire(svc.StatusOf(id)));
        w.WriteEndObject();
        if (next is not null) w.WriteString("NextToken", next);
        w.WriteEndObject();
        return ValueTask.CompletedTask;
    }

    private async ValueTask UpdateInstanceCustomHealthStatus(AwsCall call, Utf8JsonWriter w, CancellationToken ct)
    {
        var r = Parse(call, CloudMapJsonContext.Default.InstanceRequest);
        var status = r.Status switch
        {
            "HEALTHY" => HealthStatus.Healthy,
            "UNHEALTHY" => HealthStatus.Unhealthy,
            null => throw Invalid("1 validation error detected: Value null at 'status' failed to satisfy constraint: Member must not be null"),
            _ => throw Invalid($"Status '{r.Status}' is invalid; use HEALTHY or UNHEALTHY."),
        };
        await _registry.UpdateInstanceCustomHealthStatusAsync(Required(r.ServiceId, "serviceId"), Required(r.InstanceId, "instanceId"), status, ct);
        w.WriteStartObject();
        w.WriteEndObject();
    }
}
