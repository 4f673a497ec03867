using System.Text.Json;
using Portolan.Core.Discovery;
using Portolan.Core.Discovery.Validation;
using Portolan.Core.Snapshots;

namespace Portolan.Api.CloudMap;

/// <summary>Writes Cloud Map response shapes. Timestamps are epoch seconds as numbers, as the JSON protocol defines.</summary>
internal static class CloudMapWriter
{
    public static void Timestamp(Utf8JsonWriter w, string name, DateTimeOffset at) =>
        w.WriteNumber(name, at.ToUnixTimeMilliseconds() / 1000m);

    public static void StringMap(Utf8JsonWriter w, string name, IEnumerable<KeyValuePair<string, string>> map)
    {
        w.WriteStartObject(name);
        foreach (var (k, v) in map) w.WriteString(k, v);
        w.WriteEndObject();
    }

    public static string Wire(NamespaceType t) => t switch { NamespaceType.Http => "HTTP", NamespaceType.DnsPrivate => "DNS_PRIVATE", _ => "DNS_PUBLIC" };
    public static string Wire(ServiceType t) => t switch { ServiceType.Http => "HTTP", ServiceType.DnsHttp => "DNS_HTTP", _ => "DNS" };
    public static string Wire(HealthStatus s) => s switch { HealthStatus.Healthy => "HEALTHY", HealthStatus.Unhealthy => "UNHEALTHY", _ => "UNKNOWN" };
    public static string Wire(RoutingPolicy p) => p == RoutingPolicy.Weighted ? "WEIGHTED" : "MULTIVALUE";
    public static string Wire(HealthCheckType t) => t switch { HealthCheckType.Http => "HTTP", HealthCheckType.Https => "HTTPS", _ => "TCP" };

    public static string Wire(OperationType t) => t switch
    {
        OperationType.CreateNamespace => "CREATE_NAMESPACE",
        OperationType.DeleteNamespace => "DELETE_NAMESPACE",
        OperationType.UpdateNamespace => "UPDATE_NAMESPACE",
        OperationType.UpdateService => "UPDATE_SERVICE",
        OperationType.RegisterInstance => "REGISTER_INSTANCE",
        _ => "DEREGISTER_INSTANCE",
    };

    public static string Wire(OperationStatus s) => s switch
    {
        OperationStatus.Submitted => "SUBMITTED",
        OperationStatus.Pending => "PENDING",
        OperationStatus.Success => "SUCCESS",
        _ => "FAIL",
    };

    public static string Wire(OperationTargetType t) => t switch { OperationTargetType.Namespace => "NAMESPACE", OperationTargetType.Service => "SERVICE", _ => "INSTANCE" };

    /// <summary>Namespace (GetNamespace) or NamespaceSummary (ListNamespaces, which has no CreatorRequestId).</summary>
    public static void Namespace(Utf8JsonWriter w, NamespaceEntry ns, string account, bool summary)
    {
        var r = ns.Record;
        w.WriteStartObject();
        w.WriteString("Id", r.Id);
        w.WriteString("Arn", r.Arn);
        w.WriteString("ResourceOwner", account);
        w.WriteString("Name", r.Name);
        w.WriteString("Type", Wire(r.Type));
        if (r.Description is not null) w.WriteString("Description", r.Description);
        w.WriteNumber("ServiceCount", ns.ServiceIds.Count);
        w.WriteStartObject("Properties");
        w.WriteStartObject("DnsProperties");
        if (r.HostedZoneId is not null) w.WriteString("HostedZoneId", r.HostedZoneId);
        if (r.SoaTtl is { } ttl)
        {
            w.WriteStartObject("SOA");
            w.WriteNumber("TTL", ttl);
            w.WriteEndObject();
        }
        w.WriteEndObject();
        w.WriteStartObject("HttpProperties");
        w.WriteString("HttpName", r.HttpName);
        w.WriteEndObject();
        w.WriteEndObject();
        Timestamp(w, "CreateDate", r.CreateDate);
        if (!summary && r.CreatorRequestId is not null) w.WriteString("CreatorRequestId", r.CreatorRequestId);
        w.WriteEndObject();
    }

    /// <summary>Service (Get/CreateService) or ServiceSummary (ListServices).</summary>
    public static void Service(Utf8JsonWriter w, ServiceRecord r, int instanceCount, string account, bool summary)
    {
        w.WriteStartObject();
        w.WriteString("Id", r.Id);
        w.WriteString("Arn", r.Arn);
        w.WriteString("ResourceOwner", account);
        w.WriteString("Name", r.Name);
        if (!summary) w.WriteString("NamespaceId", r.NamespaceId);
        w.WriteString("Type", Wire(r.Type));
        if (r.Description is not null) w.WriteString("Description", r.Description);
        w.WriteNumber("InstanceCount", instanceCount);
        if (r.DnsConfig is { } dns)
        {
            w.WriteStartObject("DnsConfig");
            w.WriteString("NamespaceId", r.NamespaceId);
            w.WriteString("RoutingPolicy", Wire(dns.RoutingPolicy));
            w.WriteStartArray("DnsRecords");
            foreach (var rec in dns.DnsRecords)
            {
                w.WriteStartObject();
                w.WriteString("Type", ServiceConfig.Wire(rec.Type));
                w.WriteNumber("TTL", rec.TTL);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        if (r.HealthCheckConfig is { } hc)
        {
            w.WriteStartObject("HealthCheckConfig");
            w.WriteString("Type", Wire(hc.Type));
            if (hc.ResourcePath is not null) w.WriteString("ResourcePath", hc.ResourcePath);
            w.WriteNumber("FailureThreshold", hc.FailureThreshold);
            w.WriteEndObject();
        }
        if (r.HealthCheckCustomConfig is { } custom)
        {
            w.WriteStartObject("HealthCheckCustomConfig");
            w.WriteNumber("FailureThreshold", custom.FailureThreshold);
            w.WriteEndObject();
        }
        Timestamp(w, "CreateDate", r.CreateDate);
        if (!summary && r.CreatorRequestId is not null) w.WriteString("CreatorRequestId", r.CreatorRequestId);
        w.WriteEndObject();
    }

    public static void Operation(Utf8JsonWriter w, OperationRecord op)
    {
        w.WriteStartObject();
        w.WriteString("Id", op.Id);
        w.WriteString("Type", Wire(op.Type));
        w.WriteString("Status", Wire(op.Status));
        if (op.ErrorMessage is not null) w.WriteString("ErrorMessage", op.ErrorMessage);
        if (op.ErrorCode is not null) w.WriteString("ErrorCode", op.ErrorCode);
        Timestamp(w, "CreateDate", op.CreateDate);
        Timestamp(w, "UpdateDate", op.UpdateDate);
        w.WriteStartObject("Targets");
        foreach (var (t, id) in op.Targets) w.WriteString(Wire(t), id);
        w.WriteEndObject();
        w.WriteEndObject();
    }
}
