using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Portolan.Core.Discovery;
using Portolan.Core.Registry;
using Portolan.Core.Snapshots;
using Portolan.Storage;
using Portolan.Storage.Sqlite;
using Portolan.Testing;
using Portolan.WebConsole.Live;

namespace Portolan.ConsoleTests.Live;

/// <summary>
/// The health history follows the registry's changes on a real SQLite store: each change recorded once, with its
/// revision; instances of the same service that did not change get nothing.
/// </summary>
public sealed class HealthTimelineTests : IAsyncLifetime
{
    private static readonly Dictionary<string, string> Ip = new() { ["AWS_INSTANCE_IPV4"] = "10.0.0.1" };

    private readonly TempDirectory _dir = new();
    private IStore _store = null!;
    private SnapshotFeed _feed = null!;
    private DiscoveryRegistry _registry = null!;
    private HealthTimeline _timeline = null!;

    public async Task InitializeAsync()
    {
        _store = await SqliteStore.OpenAsync(Path.Combine(_dir.Path, "portolan.db"));
        _feed = new SnapshotFeed(_store, NullLogger<SnapshotFeed>.Instance);
        await _feed.StartAsync(CancellationToken.None);
        _registry = new DiscoveryRegistry(_store, _feed, Options.Create(new RegistryOptions()), TimeProvider.System);
        _timeline = new HealthTimeline(_feed, _store, TimeProvider.System, NullLogger<HealthTimeline>.Instance);
        await _timeline.StartAsync(CancellationToken.None);
    }

    public async Task DisposeAsync()
    {
        await _timeline.StopAsync(CancellationToken.None);
        _timeline.Dispose();
        await _feed.DisposeAsync();
        await _store.DisposeAsync();
        _dir.Dispose();
    }

    [Fact]
    public async Task Registration_health_changes_and_deregistration_are_recorded_once_each_with_their_revision()
    {
        var service = await ServiceAsync("web", new HealthCheckCustomConfig());
        await _registry.RegisterInstanceAsync(new RegisterInstanceCommand(service, "i-1", Ip));
        var registered = _feed.Current.Revision;
        await _registry.RegisterInstanceAsync(new RegisterInstanceCommand(service, "quiet", Ip));
        await _registry.SetInstanceHealthAsync(service, "i-1", HealthStatus.Unhealthy, "Target.Timeout: Request timed out");
        var unhealthy = _feed.Current.Revision;
        await _registry.SetInstanceHealthAsync(service, "i-1", HealthStatus.Unhealthy, "unchanged status: not written");
        await _registry.UpdateInstanceCustomHealthStatusAsync(service, "i-1", HealthStatus.Healthy);
        var healthy = _feed.Current.Revision;
        await _registry.RegisterInstanceAsync(new RegisterInstanceCommand(service, "i-1", new Dictionary<string, string> { ["AWS_INSTANCE_IPV4"] = "10.0.0.2" }));
        var reregistered = _feed.Current.Revision;
        await _registry.DeregisterInstanceAsync(service, "i-1");
        var deregistered = _feed.Current.Revision;

        var entries = await EntriesAsync(service, "i-1", 5);
        Assert.Equal(
            [
                ("registered", "HEALTHY", registered),
                ("health", "UNHEALTHY", unhealthy),
                ("health", "HEALTHY", healthy),
                ("re-registered", "HEALTHY", reregistered),
                ("deregistered", null, deregistered),
            ],
            entries.Select(e => (e.Kind, e.Status, e.Revision)));
        Assert.Equal("Target.Timeout: Request timed out", entries[1].Reason);
        Assert.Equal(["registered"], (await EntriesAsync(service, "quiet", 1)).Select(e => e.Kind));
        Assert.Empty(_timeline.Of(service, "never-registered"));
    }

    [Fact]
    public async Task A_service_without_health_checks_reports_unknown()
    {
        var service = await ServiceAsync("plain", null);
        await _registry.RegisterInstanceAsync(new RegisterInstanceCommand(service, "p", Ip));

        var entry = Assert.Single(await EntriesAsync(service, "p", 1));
        Assert.Equal(("registered", "UNKNOWN"), (entry.Kind, entry.Status));
    }

    [Fact]
    public async Task The_history_of_an_instance_is_bounded()
    {
        var service = await ServiceAsync("flappy", new HealthCheckCustomConfig());
        await _registry.RegisterInstanceAsync(new RegisterInstanceCommand(service, "i", Ip));
        for (var i = 0; i < HealthTimeline.EntriesPerInstance; i++)
        {
            await _registry.UpdateInstanceCustomHealthStatusAsync(service, "i", i % 2 == 0 ? HealthStatus.Unhealthy : HealthStatus.Healthy);
        }

        var last = _feed.Current.Revision;
        await EventuallyAsync(() => _timeline.Of(service, "i") is { Count: > 0 } e && e[^1].Revision == last, "the last change to be recorded");
        var entries = _timeline.Of(service, "i");
        Assert.Equal(HealthTimeline.EntriesPerInstance, entries.Count);
        Assert.Equal("health", entries[0].Kind); // the registration was the oldest, and was dropped
    }

    private async Task<string> ServiceAsync(string name, HealthCheckCustomConfig? custom)
    {
        if (_feed.Current.FindNamespaceByName("live.test") is null)
            await _registry.CreateNamespaceAsync(new CreateNamespaceCommand(NamespaceType.Http, "live.test"));
        var ns = _feed.Current.FindNamespaceByName("live.test")!.Id;
        return (await _registry.CreateServiceAsync(new CreateServiceCommand(name, ns, HealthCheckCustomConfig: custom))).Id;
    }

    private async Task<IReadOnlyList<HealthEvent>> EntriesAsync(string service, string instance, int count)
    {
        await EventuallyAsync(() => _timeline.Of(service, instance).Count >= count, $"{count} entries for {instance}");
        return _timeline.Of(service, instance);
    }

    /// <summary>The timeline follows the watch in the background: wait (with a deadline) for it to catch up.</summary>
    private static async Task EventuallyAsync(Func<bool> condition, string what)
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (!condition())
        {
            if (deadline.IsCancellationRequested) Assert.Fail($"Timed out waiting for {what}.");
            await Task.Delay(10);
        }
    }
}
