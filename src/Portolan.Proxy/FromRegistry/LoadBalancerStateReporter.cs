using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Portolan.Core.LoadBalancing;
using Portolan.Core.Snapshots;
using Portolan.Proxy.Configuration;

namespace Portolan.Proxy.FromRegistry;

/// <summary>
/// Tells the registry what the data plane could not do: after each apply, a load balancer with a listener that
/// could not bind (port taken by another program, no permission, certificate unreadable) becomes
/// <c>active_impaired</c> with the reason, as <c>describe-load-balancers</c> then shows; once all its listeners run
/// it is <c>active</c> again. Writes only on change.
/// </summary>
internal sealed partial class LoadBalancerStateReporter(
    ProxyRuntime runtime,
    ISnapshotSource snapshots,
    LoadBalancingRegistry registry,
    ILogger<LoadBalancerStateReporter> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            var next = runtime.NextApplyAsync();
            if (runtime.Applied is { } applied) await ReportAsync(applied, stoppingToken);
            try
            {
                await next.WaitAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
        }
    }

    private async Task ReportAsync(ProxyConfig applied, CancellationToken ct)
    {
        var s = snapshots.Current.LoadBalancing;
        var failed = runtime.FailedListeners;
        foreach (var lb in s.LoadBalancers.Values)
        {
            string? reason = null;
            foreach (var listener in s.ListenersOf(lb))
            {
                if (!failed.TryGetValue(listener.Arn, out var why)) continue;
                var line = $"Listener on port {listener.Record.Port} is not served: {why}";
                reason = reason is null ? line : reason + "; " + line;
            }

            var state = reason is null ? LoadBalancerStateCode.Active : LoadBalancerStateCode.ActiveImpaired;
            if (lb.Record.State == state && lb.Record.StateReason == reason) continue;
            if (reason is null && lb.Record.State != LoadBalancerStateCode.ActiveImpaired) continue; // not ours to change
            try
            {
                await registry.SetLoadBalancerStateAsync(lb.Arn, state, reason, ct);
                LogStateChanged(logger, lb.Arn, state, reason ?? "all listeners served", applied.Version);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogReportFailed(logger, e, lb.Arn);
            }
        }
    }

    [LoggerMessage(21, LogLevel.Information, "Load balancer {Arn} is now {State}: {Reason} (configuration {Version}).", EventName = "LoadBalancerStateChanged")]
    private static partial void LogStateChanged(ILogger logger, string arn, LoadBalancerStateCode state, string reason, long version);

    [LoggerMessage(22, LogLevel.Warning, "Could not record the state of load balancer {Arn}.", EventName = "LoadBalancerStateReportFailed")]
    private static partial void LogReportFailed(ILogger logger, Exception exception, string arn);
}
