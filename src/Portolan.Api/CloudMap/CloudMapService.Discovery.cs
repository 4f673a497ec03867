using System.Buffers;
using System.Text.Json;
using Portolan.Api.Edge;
using Portolan.Core.Discovery;
using Portolan.Core.Registry;
using Portolan.Core.Snapshots;

namespace Portolan.Api.CloudMap;

/// <summary>
/// DiscoverInstances, the hot read path: answered from the snapshot with each instance's summary rendered
/// once per (instance version, health status) and copied into the reply.
/// </summary>
internal sealed partial class CloudMapService
{
    private const int MaxDiscoverResults = 1000;

    private ValueTask DiscoverInstances(AwsCall call, Utf8JsonWriter w)
    {
        var r = Parse(call, CloudMapJsonContext.Default.DiscoverInstancesRequest);
        var (ns, svc) = Discoverable(r.NamespaceName, r.ServiceName, r.OwnerAccount);
        var limit = r.MaxResults is null ? Paging.DefaultMaxResults
            : r.MaxResults is >= 1 and <= MaxDiscoverResults ? r.MaxResults.Value
            : throw Invalid($"MaxResults must be between 1 and {MaxDiscoverResults}.");
        var filter = r.HealthStatus switch
        {
            null or "HEALTHY" => HealthFilter.Healthy,
            "UNHEALTHY" => HealthFilter.Unhealthy,
            "ALL" => HealthFilter.All,
            "HEALTHY_OR_ELSE_ALL" => HealthFilter.HealthyOrElseAll,
            _ => throw Invalid($"HealthStatus '{r.HealthStatus}' is invalid; use HEALTHY, UNHEALTHY, ALL or HEALTHY_OR_ELSE_ALL."),
        };
        // The filter is ignored for services without a health check: every instance is returned.
        if (!svc.Record.HasHealthCheck) filter = HealthFilter.All;

        var pool = ArrayPool<InstanceEntry>.Shared.Rent(Math.Max(1, svc.Instances.Count));
        try
        {
            var count = Select(svc, filter, r.QueryParameters, r.OptionalParameters, pool);
            var take = Math.Min(limit, count);
            // Partial Fisher-Yates: a fresh random order for the part returned.
            for (var i = 0; i < take; i++)
            {
                var j = Random.Shared.Next(i, count);
                (pool[i], pool[j]) = (pool[j], pool[i]);
            }

            w.WriteStartObject();
            w.WriteStartArray("Instances");
            for (var i = 0; i < take; i++)
            {
                var entry = pool[i];
                w.WriteRawValue(entry.GetOrRender(svc.StatusOf(entry.Id), (e, s) => RenderSummary(e, s, ns.Record.HttpName, svc.Record.Name)), skipInputValidation: true);
            }
            w.WriteEndArray();
            w.WriteNumber("InstancesRevision", svc.InstancesRevision);
            w.WriteEndObject();
        }
        finally
        {
            ArrayPool<InstanceEntry>.Shared.Return(pool, clearArray: true);
        }
        return ValueTask.CompletedTask;
    }

    private ValueTask DiscoverInstancesRevision(AwsCall call, Utf8JsonWriter w)
    {
        var r = Parse(call, CloudMapJsonContext.Default.DiscoverInstancesRequest);
        var (_, svc) = Discoverable(r.NamespaceName, r.ServiceName, r.OwnerAccount);
        w.WriteStartObject();
        w.WriteNumber("InstancesRevision", svc.InstancesRevision);
        w.WriteEndObject();
        return ValueTask.CompletedTask;
    }

    private (NamespaceEntry, ServiceEntry) Discoverable(string? namespaceName, string? serviceName, string? ownerAccount)
    {
        Required(namespaceName, "namespaceName");
        Required(serviceName, "serviceName");
        var snapshot = _snapshots.Current;
        if ((ownerAccount is not null && ownerAccount != _registry.Options.Account) || snapshot.FindNamespaceByName(namespaceName!) is not { } ns)
            throw NotFound(ErrorCodes.NamespaceNotFound, $"Namespace {namespaceName} not found.");
        var svc = snapshot.FindService(ns, serviceName!) ?? throw NotFound(ErrorCodes.ServiceNotFound, $"Service {serviceName} not found in namespace {namespaceName}.");
        return (ns, svc);
    }

    private enum HealthFilter { Healthy, Unhealthy, All, HealthyOrElseAll }

    /// <summary>Fills <paramref name="into"/> with the instances to answer with and returns how many.</summary>
    private static int Select(ServiceEntry svc, HealthFilter filter, Dictionary<string, string>? query, Dictionary<string, string>? optional, InstanceEntry[] into)
    {
        var count = 0;
        var healthyCount = 0;
        foreach (var entry in svc.Instances.Values)
        {
            if (!Matches(entry, query)) continue;
            var status = svc.StatusOf(entry.Id);
            var keep = filter switch
            {
                HealthFilter.Healthy => status == HealthStatus.Healthy,
                HealthFilter.Unhealthy => status == HealthStatus.Unhealthy,
                _ => true,
            };
            if (!keep) continue;
            // For HEALTHY_OR_ELSE_ALL keep healthy instances at the front, so "healthy only" is a prefix.
            if (filter == HealthFilter.HealthyOrElseAll && status == HealthStatus.Healthy)
            {
                into[count++] = into[healthyCount];
                into[healthyCount++] = entry;
            }
            else
            {
                into[count++] = entry;
            }
        }
        if (filter == HealthFilter.HealthyOrElseAll && healthyCount > 0) count = healthyCount;

        // Optional parameters narrow the answer only when some instance matches them (API reference).
        if (optional is { Count: > 0 })
        {
            var matching = 0;
            for (var i = 0; i < count; i++)
            {
                if (Matches(into[i], optional)) (into[matching], into[i]) = (into[i], into[matching++]);
            }
            if (matching > 0) count = matching;
        }
        return count;
    }

    private static bool Matches(InstanceEntry entry, Dictionary<string, string>? parameters)
    {
        if (parameters is null) return true;
        foreach (var (k, v) in parameters)
        {
            if (!entry.Record.Attributes.TryGetValue(k, out var actual) || actual != v) return false;
        }
        return true;
    }

    private static byte[] RenderSummary(InstanceEntry entry, HealthStatus status, string namespaceName, string serviceName)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("InstanceId", entry.Id);
            w.WriteString("NamespaceName", namespaceName);
            w.WriteString("ServiceName", serviceName);
            w.WriteString("HealthStatus", CloudMapWriter.Wire(status));
            CloudMapWriter.StringMap(w, "Attributes", entry.Record.Attributes);
            w.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }
}
