using System.Collections.Immutable;
using System.Net;
using Portolan.Proxy.Configuration;
using Portolan.Proxy.Tests.Support;

namespace Portolan.Proxy.Tests.Traffic;

/// <summary>Changes while traffic flows: listeners coming and going, targets draining, targets dying.</summary>
public sealed class LifecycleTests : IAsyncLifetime
{
    private ProxyHost _proxy = null!;
    private Backend _a = null!;
    private Backend _b = null!;

    public async Task InitializeAsync()
    {
        _a = await Backend.StartAsync("a");
        _b = await Backend.StartAsync("b");
        _proxy = await ProxyHost.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await _proxy.DisposeAsync();
        await _a.DisposeAsync();
        await _b.DisposeAsync();
    }

    [Fact]
    public async Task ListenersAddedAndRemoved_WhileAnotherCarriesTraffic()
    {
        var groups = new[] { ProxyHost.Group("tg", _a) }.ToImmutableArray();
        await _proxy.ApplyAsync(groups, ProxyHost.Listener("steady", "tg"));
        var steady = _proxy.Url("steady");

        // A long response on the steady listener spans every change below.
        using var client = Clients.H2c();
        using var stream = await client.GetAsync(new Uri(steady, "/stream"), HttpCompletionOption.ResponseHeadersRead);
        var reader = new StreamReader(await stream.Content.ReadAsStreamAsync());
        Assert.Equal("a-0", await reader.ReadLineAsync());

        using var load = new CancellationTokenSource();
        var failures = 0;
        var requests = 0;
        var traffic = Task.Run(async () =>
        {
            using var c = Clients.Http1();
            while (!load.IsCancellationRequested)
            {
                using var r = await c.GetAsync(steady);
                Interlocked.Increment(ref requests);
                if (r.StatusCode != HttpStatusCode.OK) Interlocked.Increment(ref failures);
            }
        });

        for (var round = 0; round < 5; round++)
        {
            await _proxy.ApplyAsync(groups, ProxyHost.Listener("steady", "tg"), ProxyHost.Listener($"extra{round}", "tg"));
            using var extraClient = Clients.Http1();
            Assert.Equal(HttpStatusCode.OK, (await extraClient.GetAsync(_proxy.Url($"extra{round}"))).StatusCode);
            var port = _proxy.EndPoint($"extra{round}").Port;

            await _proxy.ApplyAsync(groups, ProxyHost.Listener("steady", "tg"));
            Assert.Null(_proxy.Listeners.FindEndPoint($"extra{round}"));
            await Assert.ThrowsAsync<HttpRequestException>(() => extraClient.GetAsync(new Uri($"http://127.0.0.1:{port}/")));
        }

        load.Cancel();
        await traffic;
        Assert.True(requests > 0);
        Assert.Equal(0, failures);
        Assert.StartsWith("a-", await reader.ReadLineAsync(), StringComparison.Ordinal);
        Assert.Equal(steady.Port, _proxy.EndPoint("steady").Port);
    }

    [Fact]
    public async Task Draining_InFlightFinishes_NoNewRequests()
    {
        var group = ProxyHost.Group("tg", _a, _b);
        await _proxy.ApplyAsync([group], ProxyHost.Listener("l", "tg"));
        var url = _proxy.Url("l");
        using var client = Clients.Http1();

        // Put a request in flight on a.
        _a.ResetHold();
        _b.ResetHold();
        Task<HttpResponseMessage>? onA = null;
        while (onA is null)
        {
            var pending = client.GetAsync(new Uri(url, "/hold"));
            if (await Task.WhenAny(_a.Held.Task, _b.Held.Task) == _a.Held.Task) onA = pending;
            else
            {
                _b.Release.TrySetResult();
                (await pending).Dispose();
                _b.ResetHold();
            }
        }

        // Deregister a: it drains.
        var deadline = DateTimeOffset.UtcNow.AddMinutes(5);
        await _proxy.ApplyAsync([group with { Targets = [_a.Target() with { Draining = true, DrainDeadline = deadline }, _b.Target()] }], ProxyHost.Listener("l", "tg"));
        var before = _a.Requests;
        for (var i = 0; i < 10; i++) Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(url)).StatusCode);
        Assert.Equal(before, _a.Requests);

        // The in-flight request still completes normally.
        _a.Release.TrySetResult();
        using var finished = await onA;
        Assert.Equal(HttpStatusCode.OK, finished.StatusCode);
        Assert.Equal("a", await finished.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task DrainDeadline_CutsWhatIsStillInFlight()
    {
        var group = ProxyHost.Group("tg", _a);
        await _proxy.ApplyAsync([group], ProxyHost.Listener("l", "tg"));
        using var client = Clients.Http1();
        _a.ResetHold();
        var pending = client.GetAsync(new Uri(_proxy.Url("l"), "/hold"));
        await _a.Held.Task;

        // The delay runs out (the control plane removes the target): the request is cut with a 502.
        await _proxy.ApplyAsync([group with { Targets = [_a.Target() with { Draining = true }] }], ProxyHost.Listener("l", "tg"));
        await _proxy.ApplyAsync([group with { Targets = [] }], ProxyHost.Listener("l", "tg"));
        using var response = await pending;
        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        _a.Release.TrySetResult();
    }

    [Fact]
    public async Task TargetKilledMidStream_ClientStreamFails_OthersCarryOn()
    {
        var victim = await Backend.StartAsync("victim");
        await _proxy.ApplyAsync([ProxyHost.Group("tg", victim), ProxyHost.Group("tg-a", _a)], ProxyHost.Listener("l", "tg"), ProxyHost.Listener("other", "tg-a"));
        using var client = Clients.H2c();
        using var response = await client.GetAsync(new Uri(_proxy.Url("l"), "/stream"), HttpCompletionOption.ResponseHeadersRead);
        var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        Assert.Equal("victim-0", await reader.ReadLineAsync());

        await victim.DisposeAsync();
        // The client's stream is reset, not ended cleanly as if the body were complete.
        var failure = await Record.ExceptionAsync(async () =>
        {
            while (await reader.ReadLineAsync() is not null)
            {
            }
        });
        Assert.IsAssignableFrom<IOException>(failure);

        // The same client connection and the proxy are fine; the dead target now answers 502.
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(_proxy.Url("other"))).StatusCode);
        Assert.Equal(HttpStatusCode.BadGateway, (await client.GetAsync(_proxy.Url("l"))).StatusCode);
    }
}
