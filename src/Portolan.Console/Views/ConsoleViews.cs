using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http;
using Portolan.Core.Snapshots;
using Portolan.Dns.Zones;
using Portolan.WebConsole.Live;
using Microsoft.Extensions.DependencyInjection;
using Portolan.Health.Reporting;
using Portolan.Health.Subjects;
using Portolan.Health.TargetGroups;
using Portolan.Core.LoadBalancing;

namespace Portolan.WebConsole.Views;

/// <summary>
/// Read-only views for what no AWS API shows, answered as JSON from in-process state:
/// <c>GET /console/api/dns-records?service=srv-…</c> gives the records a service's DNS name answers right now,
/// read from the zone view the DNS server answers from; <c>GET /console/api/health-timeline?service=srv-…&amp;instance=ID</c>
/// gives an instance's health history (<see cref="HealthTimeline"/>);
/// <c>GET /console/api/target-health-timeline?targetGroup=ARN&amp;target=ID&amp;port=N</c> gives a load-balancer target's
/// (<see cref="TargetHealthTimeline"/>). Everything else comes from the AWS APIs.
/// </summary>
internal sealed class ConsoleViews(ISnapshotSource snapshots, ZoneInspector zones, HealthTimeline timeline, TargetHealthTimeline targetTimeline, IServiceProvider services)
{
    /// <summary>How long a view waits for the DNS zone view to catch up with the snapshot (it is rebuilt just after).</summary>
    private static readonly TimeSpan ZoneCatchUp = TimeSpan.FromSeconds(2);

    public async Task DnsRecordsAsync(HttpContext context)
    {
        var serviceId = context.Request.Query["service"].ToString();
        if (serviceId.Length == 0)
        {
            await WriteErrorAsync(context, StatusCodes.Status400BadRequest, "InvalidInput", "The query parameter 'service' (a service id) is required.");
            return;
        }

        var snapshot = snapshots.Current;
        if (!snapshot.Services.ContainsKey(serviceId))
        {
            await WriteErrorAsync(context, StatusCodes.Status404NotFound, "ServiceNotFound", $"Service {serviceId} not found.");
            return;
        }

        // The page asks right after an event for a new revision; the zone view follows the snapshot a moment later.
        var deadline = Stopwatch.GetTimestamp() + (long)(ZoneCatchUp.TotalSeconds * Stopwatch.Frequency);
        while (zones.Revision >= 0 && zones.Revision < snapshot.Revision && Stopwatch.GetTimestamp() < deadline)
        {
            await Task.Delay(10, context.RequestAborted);
        }

        var records = zones.Describe(serviceId);
        var view = new DnsRecordsView(serviceId, zones.Revision, zones.Revision >= 0, records);
        await WriteAsync(context, StatusCodes.Status200OK, view, ConsoleJson.Default.DnsRecordsView);
    }

    public Task HealthTimelineAsync(HttpContext context)
    {
        var serviceId = context.Request.Query["service"].ToString();
        var instanceId = context.Request.Query["instance"].ToString();
        if (serviceId.Length == 0 || instanceId.Length == 0)
        {
            return WriteErrorAsync(context, StatusCodes.Status400BadRequest, "InvalidInput", "The query parameters 'service' (a service id) and 'instance' (an instance id) are required.");
        }

        var entries = timeline.Of(serviceId, instanceId);
        var snapshot = snapshots.Current;
        var registered = snapshot.Services.TryGetValue(serviceId, out var service) && service.Instances.ContainsKey(instanceId);
        if (entries.Count == 0 && !registered)
        {
            return WriteErrorAsync(context, StatusCodes.Status404NotFound, "InstanceNotFound", $"Instance {instanceId} of service {serviceId} not found.");
        }

        var check = services.GetService<HealthView>() is { } health && health.TryGet(new SubjectKey(SubjectKind.CloudMapInstance, serviceId, instanceId), out var report)
            ? HealthCheckView.From(report)
            : null;
        var view = new HealthTimelineView(serviceId, instanceId, snapshot.Revision, registered, entries, check);
        return WriteAsync(context, StatusCodes.Status200OK, view, ConsoleJson.Default.HealthTimelineView);
    }

    public Task TargetHealthTimelineAsync(HttpContext context)
    {
        var query = context.Request.Query;
        var groupArn = query["targetGroup"].ToString();
        var targetId = query["target"].ToString();
        if (groupArn.Length == 0 || targetId.Length == 0
            || !int.TryParse(query["port"].ToString(), NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port is < 1 or > 65535)
        {
            return WriteErrorAsync(context, StatusCodes.Status400BadRequest, "InvalidInput",
                "The query parameters 'targetGroup' (a target group ARN), 'target' (a target id) and 'port' (1-65535) are required.");
        }

        var key = new TargetKey(targetId, port);
        var entries = targetTimeline.Of(groupArn, key);
        var snapshot = snapshots.Current;
        var group = snapshot.LoadBalancing.FindTargetGroup(groupArn);
        var registered = group?.Targets.ContainsKey(key) == true;
        if (entries.Count == 0 && !registered)
        {
            return group is null
                ? WriteErrorAsync(context, StatusCodes.Status404NotFound, "TargetGroupNotFound", $"Target group '{groupArn}' not found")
                : WriteErrorAsync(context, StatusCodes.Status404NotFound, "InvalidTarget", $"Target {key} is not registered with target group '{groupArn}'");
        }

        var check = group is not null && services.GetService<HealthView>() is { } health && health.TryGet(TargetGroupHealthChecks.KeyOf(group, key), out var report)
            ? HealthCheckView.From(report)
            : null;
        var view = new TargetHealthTimelineView(groupArn, targetId, port, snapshot.Revision, registered, entries, check);
        return WriteAsync(context, StatusCodes.Status200OK, view, ConsoleJson.Default.TargetHealthTimelineView);
    }

    public static Task WriteErrorAsync(HttpContext context, int status, string code, string message) =>
        WriteAsync(context, status, new ConsoleError(code, message), ConsoleJson.Default.ConsoleError);

    private static async Task WriteAsync<T>(HttpContext context, int status, T value, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type)
    {
        var response = context.Response;
        response.StatusCode = status;
        response.ContentType = "application/json";
        response.Headers.CacheControl = "no-store";
        if (HttpMethods.IsHead(context.Request.Method)) return;
        await JsonSerializer.SerializeAsync(response.Body, value, type, context.RequestAborted);
    }
}

/// <param name="ServiceId">The service asked about.</param>
/// <param name="Revision">The registry revision the DNS server's zone view was built from.</param>
/// <param name="DnsServed">False when this server does not serve DNS (its address could not be bound).</param>
/// <param name="Dns">The service's records; null when it has no DNS name (HTTP namespace, API-only service).</param>
internal sealed record DnsRecordsView(string ServiceId, long Revision, bool DnsServed, ServiceDnsRecords? Dns);

/// <param name="Registered">False once the instance is deregistered (its history stays for a while).</param>
/// <param name="Entries">Oldest first.</param>
/// <param name="Check">The health engine's live view of the instance's check, when this node probes it (HealthCheckConfig).</param>
internal sealed record HealthTimelineView(string ServiceId, string InstanceId, long Revision, bool Registered, IReadOnlyList<HealthEvent> Entries, HealthCheckView? Check);

/// <param name="Registered">False once the target is gone from the group (its history stays for a while).</param>
/// <param name="Entries">Oldest first.</param>
/// <param name="Check">The health engine's live view of the target's check, when this node probes it.</param>
internal sealed record TargetHealthTimelineView(string TargetGroupArn, string TargetId, int Port, long Revision, bool Registered, IReadOnlyList<HealthEvent> Entries, HealthCheckView? Check);

/// <summary>What the health engine knows of one check right now: the probe, the policy, the state and the last probes (newest first).</summary>
internal sealed record HealthCheckView(
    string Probe, double IntervalSeconds, int HealthyThreshold, int UnhealthyThreshold,
    string State, string? ReasonCode, string? Reason, int ConsecutiveSuccesses, int ConsecutiveFailures, DateTimeOffset? StateSince,
    IReadOnlyList<ProbeView> Recent)
{
    public static HealthCheckView From(SubjectHealthReport report) => new(
        report.Subject.Spec.ToString(), report.Subject.Policy.Interval.TotalSeconds, report.Subject.Policy.HealthyThreshold, report.Subject.Policy.UnhealthyThreshold,
        report.State.ToString().ToUpperInvariant(), report.Reason?.Code, report.Reason?.Description, report.ConsecutiveSuccesses, report.ConsecutiveFailures, report.StateSince,
        [.. report.Recent.Select(p => new ProbeView(p.At, p.Outcome.ToString(), p.Passed, Math.Round(p.Elapsed.TotalMilliseconds, 3), p.Code, p.Detail))]);
}

internal sealed record ProbeView(DateTimeOffset At, string Outcome, bool Passed, double ElapsedMs, int? Code, string? Detail);

internal sealed record ConsoleError(string Code, string Message);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(DnsRecordsView))]
[JsonSerializable(typeof(HealthTimelineView))]
[JsonSerializable(typeof(TargetHealthTimelineView))]
[JsonSerializable(typeof(ConsoleError))]
internal sealed partial class ConsoleJson : JsonSerializerContext;
