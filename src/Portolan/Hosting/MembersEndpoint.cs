using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Portolan.Core.Cluster;

namespace Portolan.Hosting;

/// <summary>
/// <c>GET /_portolan/members</c> on the API port: the cluster as this node sees it, like Consul's
/// <c>/v1/agent/members</c> — each live node with its addresses and meta (on etcd, the ECS container instance it runs
/// tasks as), whether it leads, and this node's own lease state.
/// <code>
/// {"self":"web-1","leader":"web-1","revision":42,"members":[
///   {"name":"web-1","status":"alive","leader":true,"self":true,"lease":"694d8a2b1f3c4e5d",
///    "startedAt":"2025-01-01T00:00:00+00:00","version":"0.1.0","addresses":{"api":["http://10.0.0.1:7766"],"dns":[…]},
///    "meta":{"ecs.containerInstanceId":"…"}}]}
/// </code>
/// A node cut off from the store lists itself as <c>"status":"failed"</c> (its lease is no longer known to be alive).
/// </summary>
internal sealed class MembersEndpoint(RequestDelegate next, IClusterMembership membership)
{
    public const string Path = "/_portolan/members";

    public async Task InvokeAsync(HttpContext context)
    {
        var request = context.Request;
        if (request.Path.Value != Path || !(HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method)))
        {
            await next(context);
            return;
        }

        var document = Build();
        var response = context.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "application/json";
        response.ContentLength = document.Length;
        response.Headers.CacheControl = "no-store";
        if (!HttpMethods.IsHead(request.Method))
        {
            await response.Body.WriteAsync(document, context.RequestAborted);
        }
    }

    private byte[] Build()
    {
        var view = membership.View;
        var selfLive = membership.IsLive;
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteString("self", membership.NodeId);
            json.WriteString("leader", view.LeaderId);
            json.WriteNumber("revision", view.Revision);
            json.WriteStartArray("members");
            var selfListed = false;
            foreach (var node in view.Nodes)
            {
                var self = node.Id == membership.NodeId;
                selfListed |= self;
                WriteNode(json, node, self, status: self && !selfLive ? "failed" : "alive", leader: node.Id == view.LeaderId);
            }

            if (!selfListed)
            {
                json.WriteStartObject();
                json.WriteString("name", membership.NodeId);
                json.WriteString("status", selfLive ? "joining" : "failed");
                json.WriteBoolean("leader", false);
                json.WriteBoolean("self", true);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        return buffer.ToArray();
    }

    private static void WriteNode(Utf8JsonWriter json, ClusterNode node, bool self, string status, bool leader)
    {
        json.WriteStartObject();
        json.WriteString("name", node.Id);
        json.WriteString("status", status);
        json.WriteBoolean("leader", leader);
        json.WriteBoolean("self", self);
        json.WriteString("lease", node.Lease.ToString("x16", System.Globalization.CultureInfo.InvariantCulture));
        json.WriteString("startedAt", node.StartedAt);
        json.WriteString("version", node.Version);
        json.WriteStartObject("addresses");
        foreach (var (kind, values) in node.Addresses.OrderBy(a => a.Key, StringComparer.Ordinal))
        {
            json.WriteStartArray(kind);
            foreach (var value in values)
            {
                json.WriteStringValue(value);
            }

            json.WriteEndArray();
        }

        json.WriteEndObject();
        json.WriteStartObject("meta");
        foreach (var (key, value) in node.Meta.OrderBy(m => m.Key, StringComparer.Ordinal))
        {
            json.WriteString(key, value);
        }

        json.WriteEndObject();
        json.WriteEndObject();
    }
}
