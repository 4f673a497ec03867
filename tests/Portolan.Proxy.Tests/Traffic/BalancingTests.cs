using System.Net;
using System.Net.Http.Json;
using Portolan.Proxy.Configuration;
using Portolan.Proxy.Tests.Support;

namespace Portolan.Proxy.Tests.Traffic;

/// <summary>How requests spread over targets and target groups: algorithms, weights, stickiness, health.</summary>
public sealed class BalancingTests : IAsyncLifetime
{
    private ProxyHost _proxy = null!;
    private Backend[] _backends = null!;

    public async Task InitializeAsync()
    {
        _backends = await Task.WhenAll(Enumerable.Range(0, 3).Select(i => Backend.StartAsync($"b{i}")));
        _proxy = await ProxyHost.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await _proxy.DisposeAsync();
        foreach (var b in _backends) await b.DisposeAsync();
    }

    private async Task<Dictionary<string, int>> SpreadAsync(string listener, int requests, HttpClient? client = null)
    {
        using var own = client is null ? Clients.Http1() : null;
        client ??= own!;
        var counts = new Dictionary<string, int>();
        for (var i = 0; i < requests; i++)
        {
            var seen = await client.GetFromJsonAsync<Dictionary<string, string?>>(new Uri(_proxy.Url(listener), "/spread"));
            var server = seen!["server"]!;
            counts[server] = counts.GetValueOrDefault(server) + 1;
        }
        return counts;
    }

    [Fact]
    public async Task RoundRobin_TakesTurns()
    {
        await _proxy.ApplyAsync([ProxyHost.Group("tg", _backends)], ProxyHost.Listener("l", "tg"));
        var counts = await SpreadAsync("l", 30);
        Assert.All(_backends, b => Assert.Equal(10, counts[b.Name]));
    }

    [Theory]
    [InlineData(BalancingAlgorithm.LeastOutstandingRequests)]
    [InlineData(BalancingAlgorithm.WeightedRandom)]
    public async Task OtherAlgorithms_ReachEveryTarget(BalancingAlgorithm algorithm)
    {
        await _proxy.ApplyAsync([ProxyHost.Group("tg", _backends) with { Algorithm = algorithm }], ProxyHost.Listener("l", "tg"));
        var counts = await SpreadAsync("l", 150);
        Assert.All(_backends, b => Assert.InRange(counts.GetValueOrDefault(b.Name), 20, 100));
    }

    [Fact]
    public async Task LeastOutstanding_AvoidsTheBusyTarget()
    {
        await _proxy.ApplyAsync([ProxyHost.Group("tg", _backends[0], _backends[1]) with { Algorithm = BalancingAlgorithm.LeastOutstandingRequests }], ProxyHost.Listener("l", "tg"));
        using var client = Clients.Http1();
        var url = _proxy.Url("l");

        // Park requests on whichever target gets them until b0 holds one, then every new request must go to b1.
        _backends[0].ResetHold();
        _backends[1].ResetHold();
        var parked = new List<Task<HttpResponseMessage>>();
        while (!_backends[0].Held.Task.IsCompleted)
        {
            parked.Add(client.GetAsync(new Uri(url, "/hold")));
            await Task.WhenAny(_backends[0].Held.Task, _backends[1].Held.Task);
            _backends[1].Release.TrySetResult();
            _backends[1].ResetHold();
        }
        var counts = await SpreadAsync("l", 10);
        Assert.Equal(10, counts["b1"]);

        _backends[0].Release.TrySetResult();
        foreach (var response in await Task.WhenAll(parked)) response.Dispose();
    }

    [Fact]
    public async Task WeightedForward_SplitsByWeight_ZeroGetsNothing()
    {
        var listener = ProxyHost.Listener("l", "tg0") with
        {
            DefaultAction = new ForwardAction([new WeightedTargetGroup("tg0", 80), new WeightedTargetGroup("tg1", 20), new WeightedTargetGroup("tg2", 0)]),
        };
        await _proxy.ApplyAsync([.. _backends.Select((b, i) => ProxyHost.Group($"tg{i}", b))], listener);
        var counts = await SpreadAsync("l", 400);
        Assert.InRange(counts["b0"], 260, 380);
        Assert.InRange(counts["b1"], 20, 140);
        Assert.False(counts.ContainsKey("b2"));
    }

    [Fact]
    public async Task Stickiness_LbCookie_KeepsTheClientOnOneTarget()
    {
        await _proxy.ApplyAsync([ProxyHost.Group("tg", _backends) with { StickinessDuration = TimeSpan.FromHours(1) }], ProxyHost.Listener("l", "tg"));
        using var sticky = Clients.Http1(cookies: true);
        var counts = await SpreadAsync("l", 12, sticky);
        Assert.Single(counts);

        using var response = await sticky.GetAsync(_proxy.Url("l"));
        var cookie = Assert.Single(response.Headers.GetValues("Set-Cookie"));
        Assert.Matches("^AWSALB=[A-Za-z0-9_-]+; Max-Age=3600; Path=/$", cookie);

        // Without the cookie, round robin again.
        Assert.Equal(3, (await SpreadAsync("l", 6)).Count);
    }

    [Fact]
    public async Task Stickiness_AppCookie_StartsWhenTheTargetSetsItsCookie()
    {
        await _proxy.ApplyAsync(
            [ProxyHost.Group("tg", _backends) with { StickinessDuration = TimeSpan.FromMinutes(10), AppCookieName = "session" }],
            ProxyHost.Listener("l", "tg"));
        using var client = Clients.Http1(cookies: true);

        // Responses without the application's cookie get no stickiness cookie: round robin.
        using (var plain = await client.GetAsync(_proxy.Url("l"))) Assert.False(plain.Headers.Contains("Set-Cookie"));
        Assert.Equal(3, (await SpreadAsync("l", 6, client)).Count);

        // A target sets it: AWSALBAPP-0 names that target, and the client stays there.
        using var login = await client.GetAsync(new Uri(_proxy.Url("l"), "/login"));
        var server = (await login.Content.ReadFromJsonAsync<Dictionary<string, string?>>())!["server"]!;
        Assert.Contains(login.Headers.GetValues("Set-Cookie"), c => c.StartsWith("AWSALBAPP-0=", StringComparison.Ordinal) && c.Contains("Max-Age=600", StringComparison.Ordinal));
        Assert.Equal([server], (await SpreadAsync("l", 6, client)).Keys);
    }

    [Fact]
    public async Task GroupStickiness_KeepsTheClientOnOneGroup()
    {
        var listener = ProxyHost.Listener("l", "tg0") with
        {
            DefaultAction = new ForwardAction([new WeightedTargetGroup("tg0", 50), new WeightedTargetGroup("tg1", 50)], TimeSpan.FromMinutes(5)),
        };
        await _proxy.ApplyAsync([ProxyHost.Group("tg0", _backends[0]), ProxyHost.Group("tg1", _backends[1])], listener);
        using var sticky = Clients.Http1(cookies: true);
        Assert.Single(await SpreadAsync("l", 20, sticky));
    }

    [Fact]
    public async Task OnlyHealthyTargets_ThenFailOpenWhenNoneIs()
    {
        var group = ProxyHost.Group("tg") with
        {
            Targets = [_backends[0].Target(TargetHealth.Healthy), _backends[1].Target(TargetHealth.Unhealthy), _backends[2].Target(TargetHealth.Initial)],
        };
        await _proxy.ApplyAsync([group], ProxyHost.Listener("l", "tg"));
        Assert.Equal(["b0"], (await SpreadAsync("l", 6)).Keys);

        // Nobody healthy: ALB sends to all registered targets rather than to none.
        await _proxy.ApplyAsync([group with { Targets = [.. group.Targets.Select(t => t with { Health = TargetHealth.Unhealthy })] }], ProxyHost.Listener("l", "tg"));
        Assert.Equal(3, (await SpreadAsync("l", 9)).Count);
    }
}
