using System.Collections.Immutable;
using System.Text.Json;
using Portolan.Api.Edge;
using Portolan.Core.Discovery;
using Portolan.Core.Ids;
using Portolan.Core.Registry;
using Portolan.Core.Snapshots;

namespace Portolan.Api.CloudMap;

internal sealed partial class CloudMapService
{
    private async ValueTask CreateService(AwsCall call, Utf8JsonWriter w, CancellationToken ct)
    {
        var r = Parse(call, CloudMapJsonContext.Default.CreateServiceRequest);
        Required(r.Name, "name");
        if (r.NamespaceId is not null && r.DnsConfig?.NamespaceId is { } dnsNs && dnsNs != r.NamespaceId)
            throw Invalid("NamespaceId and DnsConfig.NamespaceId name different namespaces.");
        if (r.Type is not null and not "HTTP") throw Invalid($"Type '{r.Type}' is invalid; the only type a caller may set is HTTP.");
        var record = await _registry.CreateServiceAsync(new CreateServiceCommand(
            r.Name, r.NamespaceId ?? r.DnsConfig?.NamespaceId, r.CreatorRequestId, r.Description,
            r.DnsConfig is null ? null : DnsConfig(r.DnsConfig),
            HealthCheck(r.HealthCheckConfig),
            r.HealthCheckCustomConfig is null ? null : CustomHealthCheck(r.HealthCheckCustomConfig),
            Tags(r.Tags), HttpOnly: r.Type == "HTTP"), ct);
        var entry = _snapshots.Current.Services.GetValueOrDefault(record.Id);
        w.WriteStartObject();
        w.WritePropertyName("Service");
        CloudMapWriter.Service(w, record, entry?.Instances.Count ?? 0, _registry.Options.Account, summary: false);
        w.WriteEndObject();
    }

    private ValueTask GetService(AwsCall call, Utf8JsonWriter w)
    {
        var svc = FindService(Required(Parse(call, CloudMapJsonContext.Default.IdRequest).Id, "id"));
        w.WriteStartObject();
        w.WritePropertyName("Service");
        CloudMapWriter.Service(w, svc.Record, svc.Instances.Count, _registry.Options.Account, summary: false);
        w.WriteEndObject();
        return ValueTask.CompletedTask;
    }

    private ValueTask ListServices(AwsCall call, Utf8JsonWriter w)
    {
        var r = Parse(call, CloudMapJsonContext.Default.ListRequest);
        var match = Filters.Services(r.Filters);
        var all = _snapshots.Current.Services.Values.Where(match).OrderBy(s => s.Id, StringComparer.Ordinal);
        var (page, next) = Paging.Page(all, s => s.Id, r.NextToken, r.MaxResults);
        w.WriteStartObject();
        w.WriteStartArray("Services");
        foreach (var s in page) CloudMapWriter.Service(w, s.Record, s.Instances.Count, _registry.Options.Account, summary: true);
        w.WriteEndArray();
        if (next is not null) w.WriteString("NextToken", next);
        w.WriteEndObject();
        return ValueTask.CompletedTask;
    }

    private async ValueTask UpdateService(AwsCall call, Utf8JsonWriter w, CancellationToken ct)
    {
        var r = Parse(call, CloudMapJsonContext.Default.UpdateServiceRequest);
        var id = Required(r.Id, "id");
        if (r.Service is null) throw Invalid("1 validation error detected: Value null at 'service' failed to satisfy constraint: Member must not be null");
        ImmutableArray<DnsRecord>? records = r.Service.DnsConfig is { } dc ? Records(dc.DnsRecords) : null;
        var opId = await _registry.UpdateServiceAsync(new UpdateServiceCommand(id, r.Service.Description, records, HealthCheck(r.Service.HealthCheckConfig)), ct);
        WriteOperationId(w, opId);
    }

    private async ValueTask DeleteService(AwsCall call, Utf8JsonWriter w, CancellationToken ct)
    {
        await _registry.DeleteServiceAsync(Required(Parse(call, CloudMapJsonContext.Default.IdRequest).Id, "id"), ct);
        w.WriteStartObject();
        w.WriteEndObject();
    }

    private ValueTask GetServiceAttributes(AwsCall call, Utf8JsonWriter w)
    {
        var svc = FindService(Required(Parse(call, CloudMapJsonContext.Default.ServiceAttributesRequest).ServiceId, "serviceId"));
        w.WriteStartObject();
        w.WriteStartObject("ServiceAttributes");
        w.WriteString("ServiceArn", svc.Record.Arn);
        w.WriteString("ResourceOwner", _registry.Options.Account);
        CloudMapWriter.StringMap(w, "Attributes", svc.Record.Attributes);
        w.WriteEndObject();
        w.WriteEndObject();
        return ValueTask.CompletedTask;
    }

    private async ValueTask UpdateServiceAttributes(AwsCall call, Utf8JsonWriter w, CancellationToken ct)
    {
        var r = Parse(call, CloudMapJsonContext.Default.ServiceAttributesRequest);
        await _registry.UpdateServiceAttributesAsync(Required(r.ServiceId, "serviceId"), r.Attributes, ct);
        w.WriteStartObject();
        w.WriteEndObject();
    }

    private async ValueTask DeleteServiceAttributes(AwsCall call, Utf8JsonWriter w, CancellationToken ct)
    {
        var r = Parse(call, CloudMapJsonContext.Default.DeleteServiceAttributesRequest);
        await _registry.DeleteServiceAttributesAsync(Required(r.ServiceId, "serviceId"), r.Attributes, ct);
        w.WriteStartObject();
        w.WriteEndObject();
    }

    private ServiceEntry FindService(string idOrArn)
    {
        var id = Arns.ServiceIdFrom(idOrArn);
        return id is not null && _snapshots.Current.Services.TryGetValue(id, out var svc)
            ? svc
            : throw NotFound(ErrorCodes.ServiceNotFound, $"Service {idOrArn} not found.");
    }

    private static DnsConfig DnsConfig(DnsConfigDto dto) => new()
    {
        RoutingPolicy = dto.RoutingPolicy switch
        {
            null or "MULTIVALUE" => RoutingPolicy.Multivalue,
            "WEIGHTED" => RoutingPolicy.Weighted,
            _ => throw Invalid($"RoutingPolicy '{dto.RoutingPolicy}' is invalid; use MULTIVALUE or WEIGHTED."),
        },
        DnsRecords = Records(dto.DnsRecords),
    };

    private static ImmutableArray<DnsRecord> Records(List<DnsRecordDto>? records)
    {
        if (records is null) throw Invalid("1 validation error detected: Value null at 'dnsConfig.dnsRecords' failed to satisfy constraint: Member must not be null");
        var list = ImmutableArray.CreateBuilder<DnsRecord>(records.Count);
        foreach (var r in records)
        {
            var type = r.Type switch
            {
                "A" => RecordType.A,
                "AAAA" => RecordType.Aaaa,
                "SRV" => RecordType.Srv,
                "CNAME" => RecordType.Cname,
                null => throw Invalid("Every DnsRecord needs a Type."),
                _ => throw Invalid($"DnsRecord type '{r.Type}' is invalid; use A, AAAA, SRV or CNAME."),
            };
            list.Add(new DnsRecord(type, r.TTL ?? throw Invalid("Every DnsRecord needs a TTL.")));
        }
        return list.MoveToImmutable();
    }

    private static HealthCheckConfig? HealthCheck(HealthCheckConfigDto? dto)
    {
        if (dto is null) return null;
        var type = dto.Type switch
        {
            "HTTP" => HealthCheckType.Http,
            "HTTPS" => HealthCheckType.Https,
            "TCP" => HealthCheckType.Tcp,
            null => throw Invalid("HealthCheckConfig needs a Type."),
            _ => throw Invalid($"HealthCheckConfig type '{dto.Type}' is invalid; use HTTP, HTTPS or TCP."),
        };
        // ResourcePath defaults to "/" for HTTP(S) checks, as Route 53 does; TCP checks have none.
        var path = dto.ResourcePath ?? (type == HealthCheckType.Tcp ? null : "/");
        return new HealthCheckConfig(type, path, dto.FailureThreshold ?? 1);
    }

    private static HealthCheckCustomConfig CustomHealthCheck(HealthCheckCustomConfigDto dto)
    {
        if (dto.FailureThreshold is < 1 or > 10) throw Invalid("HealthCheckCustomConfig.FailureThreshold must be between 1 and 10.");
        return new HealthCheckCustomConfig();
    }
}
