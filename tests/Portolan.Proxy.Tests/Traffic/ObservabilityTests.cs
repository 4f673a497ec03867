using System.Diagnostics.Metrics;
using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Portolan.Proxy.Configuration;
using Portolan.Proxy.Observability;
using Portolan.Proxy.Tests.Support;
using Portolan.Testing;

namespace Portolan.Proxy.Tests.Traffic;

/// <summary>Access log lines in ALB's format and the per-listener / per-target-group counters.</summary>
public sealed class ObservabilityTests : IAsyncLifetime
{
    private readonly TempDirectory _dir = new();
    private ProxyHost _proxy = null!;
    private Backend _backend = null!;
    private string _logPath = "";

    public async Task InitializeAsync()
    {
        _backend = await Backend.StartAsync("b");
        _logPath = Path.Combine(_dir.Path, "access.log");
        _proxy = await ProxyHost.StartAsync(o => o.AccessLogPath = _logPath);
        await _proxy.ApplyAsync(
            [ProxyHost.Group("arn:tg/web", _backend), ProxyHost.Group("arn:tg/empty")],
            ProxyHost.Listener("arn:listener/web", "arn:tg/web", new RuleConfig
            {
                Priority = 7,
                Conditions = [new PathPatternCondition(["/empty*"])],
                Action = ForwardAction.To("arn:tg/empty"),
            }) with { LoadBalancerId = "app/my-lb/50dc6c495c0c9188" });
    }

    public async Task DisposeAsync()
    {
        await _proxy.DisposeAsync();
        await _backend.DisposeAsync();
        _dir.Dispose();
    }

    [Fact]
    public async Task AccessLog_AndCounters_RecordEachRequest()
    {
        using var collected = new MeterListener();
        var measured = new List<(string Name, long Value, string? Status)>();
        collected.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == "Portolan.Proxy") listener.EnableMeasurementEvents(instrument);
        };
        collected.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            string? status = null;
            foreach (var tag in tags) if (tag.Key == "status_class") status = (string?)tag.Value;
            lock (measured) measured.Add((instrument.Name, value, status));
        });
        collected.Start();

        using var client = Clients.Http1();
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(_proxy.Url("arn:listener/web"), "/hello?a=1"));
        request.Headers.UserAgent.ParseAdd("tester/1.0");
        Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(request)).StatusCode);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await client.GetAsync(new Uri(_proxy.Url("arn:listener/web"), "/empty"))).StatusCode);

        // Lines appear once the writer drains its queue.
        string[] lines = [];
        for (var i = 0; i < 200 && lines.Length < 2; i++)
        {
            await Task.Delay(50);
            if (File.Exists(_logPath)) lines = await File.ReadAllLinesAsync(_logPath);
        }
        Assert.Equal(2, lines.Length);
        var port = _proxy.EndPoint("arn:listener/web").Port;
        Assert.Matches(
            $"^http \\S+Z app/my-lb/50dc6c495c0c9188 127\\.0\\.0\\.1:\\d+ 127\\.0\\.0\\.1:{_backend.Port} [0-9.]+ [0-9.]+ 0\\.000 200 200 0 \\d+ " +
            $"\"GET http://127\\.0\\.0\\.1:{port}/hello\\?a=1 HTTP/1\\.1\" \"tester/1\\.0\" - - arn:tg/web \"Root=1-[0-9a-f]{{8}}-[0-9a-f]{{24}}\" \"-\" \"-\" 0 \\S+Z \"forward\" \"-\" \"-\" \"127\\.0\\.0\\.1:{_backend.Port}\" \"200\" \"-\" \"-\" -$",
            lines[0]);
        Assert.Matches("^http .* - -1 -1 -1 503 - 0 \\d+ \"GET .*/empty HTTP/1\\.1\" .* arn:tg/empty .* 7 \\S+Z \"forward\" \"-\" \"NoRegisteredTargets\"", lines[1]);

        var stats = _proxy.Services.GetRequiredService<IProxyStatistics>();
        var listener = Assert.Single(stats.Listeners);
        Assert.Equal(2, listener.Requests);
        Assert.Equal(1, listener.StatusClass(2));
        Assert.Equal(1, listener.StatusClass(5));
        Assert.Equal(1, listener.LoadBalancerErrors);
        Assert.Equal(1, stats.TargetGroups.Single(g => g.Name == "arn:tg/web").StatusClass(2));

        collected.RecordObservableInstruments();
        lock (measured)
        {
            Assert.Contains(measured, m => m.Name == "portolan.lb.requests" && m.Status == "2xx" && m.Value == 1);
            Assert.Contains(measured, m => m.Name == "portolan.lb.requests" && m.Status == "5xx" && m.Value == 1);
        }
    }
}
