using System.Collections.Immutable;
using Microsoft.Extensions.Time.Testing;
using Portolan.Core.Discovery;
using Portolan.Core.Snapshots;
using Portolan.WebConsole.Live;

namespace Portolan.ConsoleTests.Live;

/// <summary>The health history follows snapshots: only changes are recorded, each once, with its revision.</summary>
public sealed class HealthTimelineTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 2, 3, 4, 5, TimeSpan.Zero);
    private readonly FakeTimeProvider _time = new(T0.AddHours(1));

    [Fact]
    public void Observe_RecordsRegistrationHealthChangesAndDeregistration()
    {
        var timeline = new HealthTimeline(new NoSource(), _time);
        var service = Service("srv-1");
        timeline.Observe(Snapshot(1, service));

        var registered = With(service, "i-1", T0);
        timeline.Observe(Snapshot(2, registered));
        var unhealthy = WithHealth(registered, "i-1", HealthStatus.Unhealthy, T0.AddMinutes(1), "Target.Timeout: Request timed out");
        timeline.Observe(Snapshot(3, unhealthy));
        // A snapshot where nothing about the service changed records nothing.
        timeline.Observe(Snapshot(4, unhealthy));
        var sameStatusNewReason = WithHealth(unhealthy, "i-1", HealthStatus.Unhealthy, T0.AddMinutes(2), "Target.FailedHealthChecks: connection refused");
        timeline.Observe(Snapshot(5, sameStatusNewReason));
        timeline.Observe(Snapshot(6, service));

        var entries = timeline.Of("srv-1", "i-1");
        Assert.Equal(
            [
                ("registered", "HEALTHY", (string?)null, 2L),
                ("health", "UNHEALTHY", "Target.Timeout: Request timed out", 3L),
                ("health", "UNHEALTHY", "Target.FailedHealthChecks: connection refused", 5L),
                ("deregistered", null, null, 6L),
            ],
            entries.Select(e => (e.Kind, e.Status, e.Reason, e.Revision)));
        Assert.Equal([T0, T0.AddMinutes(1), T0.AddMinutes(2), T0.AddHours(1)], entries.Select(e => e.At));
    }

    [Fact]
    public void Observe_DeletedServiceDeregistersItsInstances_AndUnknownInstancesHaveNoHistory()
    {
        var timeline = new HealthTimeline(new NoSource(), _time);
        var service = With(Service("srv-2"), "a", T0);
        timeline.Observe(Snapshot(1, service));
        timeline.Observe(Snapshot(2));

        Assert.Equal(["registered", "deregistered"], timeline.Of("srv-2", "a").Select(e => e.Kind));
        Assert.Empty(timeline.Of("srv-2", "nope"));
    }

    [Fact]
    public void Observe_KeepsABoundedHistoryPerInstance()
    {
        var timeline = new HealthTimeline(new NoSource(), _time);
        var service = With(Service("srv-3"), "i", T0);
        timeline.Observe(Snapshot(1, service));
        for (var i = 0; i < HealthTimeline.EntriesPerInstance * 2; i++)
        {
            service = WithHealth(service, "i", i % 2 == 0 ? HealthStatus.Unhealthy : HealthStatus.Healthy, T0.AddSeconds(i));
            timeline.Observe(Snapshot(2 + i, service));
        }

        var entries = timeline.Of("srv-3", "i");
        Assert.Equal(HealthTimeline.EntriesPerInstance, entries.Count);
        Assert.Equal(T0.AddSeconds(HealthTimeline.EntriesPerInstance * 2 - 1), entries[^1].At);
    }

    private static ServiceEntry Service(string id) => new(
        new ServiceRecord
        {
            Id = id, Arn = $"arn:aws:servicediscovery:us-east-1:000000000000:service/{id}", Name = id, NamespaceId = "ns-1",
            Type = ServiceType.Http, CreateDate = T0, HealthCheckCustomConfig = new HealthCheckCustomConfig(),
        },
        1, 1, ImmutableSortedDictionary.Create<string, InstanceEntry>(StringComparer.Ordinal), ImmutableDictionary.Create<string, InstanceHealth>(StringComparer.Ordinal), 0);

    private static ServiceEntry With(ServiceEntry service, string instanceId, DateTimeOffset at) => service with
    {
        Instances = service.Instances.Add(instanceId, new InstanceEntry(new InstanceRecord
        {
            ServiceId = service.Id, Id = instanceId, OperationId = "op", RegisteredAt = at,
            Attributes = ImmutableSortedDictionary<string, string>.Empty,
        }, 2)),
        Health = service.Health.SetItem(instanceId, new InstanceHealth(HealthStatus.Healthy, at)),
    };

    private static ServiceEntry WithHealth(ServiceEntry service, string instanceId, HealthStatus status, DateTimeOffset at, string? reason = null) =>
        service with { Health = service.Health.SetItem(instanceId, new InstanceHealth(status, at, reason)) };

    private static RegistrySnapshot Snapshot(long revision, params ServiceEntry[] services) => new()
    {
        Revision = revision,
        Services = services.ToImmutableDictionary(s => s.Id, s => s, StringComparer.Ordinal),
    };

    private sealed class NoSource : ISnapshotSource
    {
        public RegistrySnapshot Current => RegistrySnapshot.Empty;
        public ValueTask WaitForRevisionAsync(long revision, CancellationToken cancellationToken = default) => ValueTask.CompletedTask;
        public ValueTask WaitForChangeAsync(long revision, CancellationToken cancellationToken = default) => ValueTask.CompletedTask;
    }
}
