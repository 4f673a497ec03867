using Microsoft.Extensions.Options;
using Portolan.Core.Discovery;
using Portolan.Health.CloudMap;
using Portolan.Health.Matching;
using Portolan.Health.Reporting;
using Portolan.Health.Subjects;
using Portolan.Health.Tests.Support;
using Portolan.Health.Thresholds;

namespace Portolan.Health.Tests.CloudMap;

/// <summary>Which Cloud Map instances become subjects, probed how, and how crossings land in the real registry.</summary>
public sealed class CloudMapHealthChecksTests : IAsyncLifetime
{
    private RegistryOnDisk _r = null!;

    public async Task InitializeAsync() => _r = await RegistryOnDisk.StartAsync();
    public async Task DisposeAsync() => await _r.DisposeAsync();

    private CloudMapHealthChecks Adapter(bool strict = false, HealthOptions? options = null) =>
        new(strict ? _r.RegistryWith(true) : _r.Registry, Options.Create(options ?? new HealthOptions()));

    private List<HealthSubject> Collect(CloudMapHealthChecks adapter)
    {
        var subjects = new List<HealthSubject>();
        adapter.Collect(_r.Snapshot, subjects);
        return subjects;
    }

    [Fact]
    public async Task Instances_of_a_service_with_HealthCheckConfig_are_probed_as_Route_53_would()
    {
        var ns = await _r.NamespaceAsync(NamespaceType.DnsPrivate, "probe.example");
        var http = await _r.ServiceAsync(ns, "web", new HealthCheckConfig(HealthCheckType.Http, "/healthz", 3));
        var https = await _r.ServiceAsync(ns, "secure", new HealthCheckConfig(HealthCheckType.Https, "/", 1));
        var tcp = await _r.ServiceAsync(ns, "raw", new HealthCheckConfig(HealthCheckType.Tcp, null, 2));
        var custom = await _r.ServiceAsync(ns, "custom", null, custom: new HealthCheckCustomConfig());
        var none = await _r.ServiceAsync(ns, "plain", null);
        await _r.RegisterAsync(http, "w1", ("AWS_INSTANCE_IPV4", "127.0.0.10"), ("AWS_INSTANCE_PORT", "8080"));
        await _r.RegisterAsync(https, "s1", ("AWS_INSTANCE_IPV4", "127.0.0.11"), ("AWS_INSTANCE_PORT", "8443"));
        await _r.RegisterAsync(tcp, "t1", ("AWS_INSTANCE_IPV4", "127.0.0.12"), ("AWS_INSTANCE_PORT", "5432"));
        await _r.RegisterAsync(custom, "c1", ("AWS_INSTANCE_IPV4", "127.0.0.13"));
        await _r.RegisterAsync(none, "n1", ("AWS_INSTANCE_IPV4", "127.0.0.14"));

        var subjects = Collect(Adapter(options: new HealthOptions { CloudMapInterval = TimeSpan.FromSeconds(7) })).ToDictionary(s => s.Key.Id);
        Assert.Equal(["s1", "t1", "w1"], subjects.Keys.Order());

        var w1 = subjects["w1"];
        Assert.Equal(new SubjectKey(SubjectKind.CloudMapInstance, http, "w1"), w1.Key);
        Assert.Equal(new ProbeSpec(ProbeProtocol.Http1, false, "127.0.0.10", 8080, "/healthz", CodeMatcher.Http2xx3xx, TimeSpan.FromSeconds(4), CloudMapHealthChecks.UserAgent), w1.Spec);
        Assert.Equal(new HealthPolicy(TimeSpan.FromSeconds(7), 3, 3, 1), w1.Policy);
        Assert.Equal(HealthState.Healthy, w1.StartState);
        Assert.Equal(_r.Snapshot.Services[http].Instances["w1"].ModRevision, w1.Generation);

        Assert.True(subjects["s1"].Spec is { Protocol: ProbeProtocol.Http1, Tls: true, Port: 8443 });
        Assert.True(subjects["t1"].Spec is { Protocol: ProbeProtocol.Tcp, Path: null, Host: "127.0.0.12" });
    }

    [Fact]
    public async Task IPv6_only_instances_are_probed_on_IPv6_and_a_service_attribute_sets_the_interval()
    {
        var ns = await _r.NamespaceAsync(NamespaceType.Http, "v6.example");
        var svc = await _r.ServiceAsync(ns, "api", new HealthCheckConfig(HealthCheckType.Tcp, null, 1), dns: false);
        await _r.Registry.UpdateServiceAttributesAsync(svc, new Dictionary<string, string> { [HealthOptions.CloudMapIntervalAttribute] = "2.5" });
        await _r.RegisterAsync(svc, "six", ("AWS_INSTANCE_IPV6", "::1"), ("AWS_INSTANCE_PORT", "9000"));
        await _r.RegisterAsync(svc, "nowhere", ("AWS_INSTANCE_PORT", "9000"));

        var subjects = Collect(Adapter()).ToDictionary(s => s.Key.Id);
        Assert.Equal("::1", subjects["six"].Spec.Host);
        Assert.Equal(TimeSpan.FromSeconds(2.5), subjects["six"].Policy.Interval);
        Assert.Equal(TimeSpan.FromSeconds(2.5), subjects["six"].Spec.Timeout); // capped at the interval
        Assert.Equal("", subjects["nowhere"].Spec.Host); // probed as NoAddress: the user sees why it is unhealthy
    }

    [Fact]
    public async Task Strict_AWS_mode_probes_public_DNS_and_HTTP_namespaces_only()
    {
        var priv = await _r.NamespaceAsync(NamespaceType.DnsPrivate, "private.example");
        var pub = await _r.NamespaceAsync(NamespaceType.DnsPublic, "public.example");
        var p1 = await _r.ServiceAsync(priv, "svc", new HealthCheckConfig(HealthCheckType.Tcp, null, 1));
        var p2 = await _r.ServiceAsync(pub, "svc", new HealthCheckConfig(HealthCheckType.Tcp, null, 1));
        await _r.RegisterAsync(p1, "a", ("AWS_INSTANCE_IPV4", "127.0.0.1"), ("AWS_INSTANCE_PORT", "1"));
        await _r.RegisterAsync(p2, "b", ("AWS_INSTANCE_IPV4", "127.0.0.1"), ("AWS_INSTANCE_PORT", "1"));

        Assert.Equal(["a", "b"], Collect(Adapter()).Select(s => s.Key.Id).Order());
        Assert.Equal(["b"], Collect(Adapter(strict: true)).Select(s => s.Key.Id));

        // And a strict registry refuses to create one there in the first place.
        var ex = await Assert.ThrowsAsync<Portolan.Core.Registry.RegistryException>(() => _r.RegistryWith(true).CreateServiceAsync(
            new Portolan.Core.Registry.CreateServiceCommand("other", priv, HealthCheckConfig: new HealthCheckConfig(HealthCheckType.Tcp, null, 1))));
        Assert.Contains("private DNS", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unchanged_services_reuse_their_subjects_and_a_health_write_rebuilds_only_that_service()
    {
        var ns = await _r.NamespaceAsync(NamespaceType.Http, "reuse.example");
        var a = await _r.ServiceAsync(ns, "a", new HealthCheckConfig(HealthCheckType.Tcp, null, 1), dns: false);
        var b = await _r.ServiceAsync(ns, "b", new HealthCheckConfig(HealthCheckType.Tcp, null, 1), dns: false);
        await _r.RegisterAsync(a, "a1", ("AWS_INSTANCE_IPV4", "127.0.0.1"), ("AWS_INSTANCE_PORT", "1"));
        await _r.RegisterAsync(b, "b1", ("AWS_INSTANCE_IPV4", "127.0.0.1"), ("AWS_INSTANCE_PORT", "1"));
        var adapter = Adapter();
        var first = Collect(adapter).ToDictionary(s => s.Key.Id);

        await adapter.WriteAsync([new HealthCrossing(first["a1"].Key, first["a1"].Generation, HealthState.Healthy, HealthState.Unhealthy, null, DateTimeOffset.UtcNow)], default);
        var second = Collect(adapter).ToDictionary(s => s.Key.Id);
        Assert.Same(first["b1"], second["b1"]);
        Assert.NotSame(first["a1"], second["a1"]);
        Assert.Equal(HealthState.Unhealthy, second["a1"].StartState);
    }

    [Fact]
    public async Task Crossings_are_written_once_and_never_onto_a_newer_registration()
    {
        var ns = await _r.NamespaceAsync(NamespaceType.Http, "write.example");
        var svc = await _r.ServiceAsync(ns, "api", new HealthCheckConfig(HealthCheckType.Http, "/", 1), dns: false);
        await _r.RegisterAsync(svc, "i1", ("AWS_INSTANCE_IPV4", "127.0.0.1"), ("AWS_INSTANCE_PORT", "1"));
        var adapter = Adapter();
        var subject = Collect(adapter).Single();
        var reason = new HealthReason(HealthReason.FailedHealthChecks, "Health checks failed (connection refused)");
        var down = new HealthCrossing(subject.Key, subject.Generation, HealthState.Healthy, HealthState.Unhealthy, reason, DateTimeOffset.UtcNow);

        await adapter.WriteAsync([down], default);
        var written = _r.HealthOf(svc, "i1")!;
        Assert.Equal(HealthStatus.Unhealthy, written.Status);
        Assert.Equal("Target.FailedHealthChecks: Health checks failed (connection refused)", written.Reason);

        var revision = _r.Snapshot.Revision;
        await adapter.WriteAsync([down], default);
        Assert.Equal(revision, _r.Snapshot.Revision); // already recorded: no write

        // Registered again: HEALTHY anew, and the old registration's crossing is dropped.
        await _r.RegisterAsync(svc, "i1", ("AWS_INSTANCE_IPV4", "127.0.0.1"), ("AWS_INSTANCE_PORT", "2"));
        Assert.Equal(HealthStatus.Healthy, _r.HealthOf(svc, "i1")!.Status);
        await adapter.WriteAsync([down], default);
        Assert.Equal(HealthStatus.Healthy, _r.HealthOf(svc, "i1")!.Status);
    }

    [Fact]
    public async Task An_instance_without_a_health_record_starts_undecided_and_its_first_result_is_written()
    {
        var ns = await _r.NamespaceAsync(NamespaceType.Http, "late.example");
        var svc = await _r.ServiceAsync(ns, "api", null, dns: false);
        await _r.RegisterAsync(svc, "i1", ("AWS_INSTANCE_IPV4", "127.0.0.1"), ("AWS_INSTANCE_PORT", "1"));
        await _r.Registry.UpdateServiceAsync(new Portolan.Core.Registry.UpdateServiceCommand(svc, null, null, new HealthCheckConfig(HealthCheckType.Tcp, null, 2)));
        var adapter = Adapter();
        var subject = Collect(adapter).Single();
        Assert.Equal(HealthState.Initial, subject.StartState);

        await adapter.WriteAsync([new HealthCrossing(subject.Key, subject.Generation, HealthState.Initial, HealthState.Healthy, null, DateTimeOffset.UtcNow)], default);
        Assert.Equal(HealthStatus.Healthy, _r.HealthOf(svc, "i1")!.Status);
    }
}
