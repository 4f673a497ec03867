using Portolan.Health.Matching;
using Portolan.Health.Probing;
using Portolan.Health.Subjects;
using Portolan.Health.Tests.Support;

namespace Portolan.Health.Tests.Probing;

/// <summary>Every probe kind against real loopback targets, and every way a probe fails, classified.</summary>
public sealed class NetworkProberTests(ProbeTargets targets) : IClassFixture<ProbeTargets>, IDisposable
{
    private static readonly TimeSpan Patient = TimeSpan.FromSeconds(10);
    private readonly NetworkProber _prober = new(TimeProvider.System);

    public void Dispose() => _prober.Dispose();

    private Task<ProbeResult> Probe(ProbeProtocol protocol, int port, string? path = null, string? matcher = null, bool tls = false, TimeSpan? timeout = null, string host = "127.0.0.1") =>
        _prober.ProbeAsync(new ProbeSpec(protocol, tls, host, port, path, matcher is null ? null : CodeMatcher.Parse(matcher), timeout ?? Patient), CancellationToken.None);

    [Fact]
    public async Task Tcp_connects_to_a_listener()
    {
        var r = await Probe(ProbeProtocol.Tcp, targets.TcpPort);
        Assert.Equal(ProbeOutcome.Success, r.Outcome);
    }

    [Fact]
    public async Task Tcp_to_a_closed_port_is_refused()
    {
        var r = await Probe(ProbeProtocol.Tcp, targets.ClosedPort);
        Assert.Equal(ProbeOutcome.Refused, r.Outcome);
        Assert.Equal("connection refused", r.Detail);
    }

    [Theory]
    [InlineData(ProbeProtocol.Http1)]
    [InlineData(ProbeProtocol.Http2)]
    public async Task Http_passes_on_a_matching_status_and_fails_with_the_code_otherwise(ProbeProtocol protocol)
    {
        var port = protocol == ProbeProtocol.Http2 ? targets.H2cPort : targets.Http1Port;
        var ok = await Probe(protocol, port, "/status/200");
        Assert.Equal((ProbeOutcome.Success, 200), (ok.Outcome, ok.Code));

        var ranged = await Probe(protocol, port, "/status/204", "200-299");
        Assert.Equal(ProbeOutcome.Success, ranged.Outcome);

        var listed = await Probe(protocol, port, "/status/202", "200,202");
        Assert.Equal(ProbeOutcome.Success, listed.Outcome);

        var wrong = await Probe(protocol, port, "/status/503", "200");
        Assert.Equal((ProbeOutcome.WrongStatus, 503), (wrong.Outcome, wrong.Code));
        Assert.Contains("503", wrong.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Http_reuses_its_pooled_connection_between_probes()
    {
        // The target records the Kestrel connection id of each /counted request.
        for (var i = 0; i < 5; i++) Assert.True((await Probe(ProbeProtocol.Http1, targets.Http1Port, "/counted")).Passed);
        for (var i = 0; i < 5; i++) Assert.True((await Probe(ProbeProtocol.Http2, targets.H2cPort, "/counted")).Passed);
        Assert.Equal(10, targets.CountedRequests);
        Assert.Equal(2, targets.CountedConnections);
    }

    [Theory]
    [InlineData(ProbeProtocol.Http1)]
    [InlineData(ProbeProtocol.Http2)]
    public async Task Releasing_a_target_closes_its_pooled_connection_and_a_later_probe_connects_again(ProbeProtocol protocol)
    {
        // A raw keep-alive target that sees its connections close: what a draining task waits for on its port.
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        var spec = new ProbeSpec(protocol, false, "127.0.0.1", port, "/", null, Patient);
        var server = protocol == ProbeProtocol.Http2 ? null : KeepAliveTarget.Serve(listener);
        if (server is null)
        {
            // HTTP/2 needs a real h2c server: use the fixture's, whose connection count is visible from this process.
            spec = spec with { Port = targets.H2cPort, Path = "/status/200" };
        }

        Assert.True((await _prober.ProbeAsync(spec, CancellationToken.None)).Passed);
        Assert.Equal(1, _prober.OpenConnectionsTo("127.0.0.1", spec.Port));

        _prober.Release("127.0.0.1", spec.Port);
        Assert.Equal(0, _prober.OpenConnectionsTo("127.0.0.1", spec.Port));
        if (server is not null)
        {
            Assert.Equal(1, await server.ClosedConnections.Reader.ReadAsync().AsTask().WaitAsync(Patient));
        }

        // The pool notices its closed connection on its own (HTTP/2 by its read loop ending) and connects again.
        await WithinAsync(async () => (await _prober.ProbeAsync(spec, CancellationToken.None)).Passed);
        Assert.Equal(1, _prober.OpenConnectionsTo("127.0.0.1", spec.Port));
    }

    private static async Task WithinAsync(Func<Task<bool>> condition)
    {
        using var deadline = new CancellationTokenSource(Patient);
        while (!await condition())
        {
            if (deadline.IsCancellationRequested) Assert.Fail("The condition did not hold in time.");
            await Task.Delay(20);
        }
    }

    [Fact]
    public async Task Https_accepts_a_self_signed_certificate_as_ALB_and_Route_53_do()
    {
        var h1 = await Probe(ProbeProtocol.Http1, targets.TlsPort, "/status/200", tls: true);
        Assert.Equal(ProbeOutcome.Success, h1.Outcome);
        var h2 = await Probe(ProbeProtocol.Http2, targets.TlsPort, "/status/200", tls: true);
        Assert.Equal(ProbeOutcome.Success, h2.Outcome);
    }

    [Fact]
    public async Task Https_to_a_plaintext_port_is_a_TLS_failure()
    {
        var r = await Probe(ProbeProtocol.Http1, targets.Http1Port, "/status/200", tls: true);
        Assert.Equal(ProbeOutcome.TlsFailure, r.Outcome);
    }

    [Fact]
    public async Task Http2_to_an_HTTP1_only_port_is_a_protocol_error()
    {
        var r = await Probe(ProbeProtocol.Http2, targets.Http1Port, "/status/200");
        Assert.True(r.Outcome == ProbeOutcome.ProtocolError, $"{r.Outcome}: {r.Detail}");
    }

    [Fact]
    public async Task A_target_that_accepts_but_never_answers_times_out()
    {
        var timeout = TimeSpan.FromMilliseconds(300);
        var tcpAccepted = await Probe(ProbeProtocol.Tcp, targets.HangPort, timeout: timeout);
        Assert.Equal(ProbeOutcome.Success, tcpAccepted.Outcome); // the kernel completed the handshake

        var silent = await Probe(ProbeProtocol.Http1, targets.HangPort, "/", timeout: timeout);
        Assert.Equal(ProbeOutcome.Timeout, silent.Outcome);

        var hung = await Probe(ProbeProtocol.Http1, targets.Http1Port, "/hang", timeout: timeout);
        Assert.Equal(ProbeOutcome.Timeout, hung.Outcome);

        var grpc = await Probe(ProbeProtocol.Grpc, targets.HangPort, "/grpc.health.v1.Health/Check", "0", timeout: timeout);
        Assert.Equal(ProbeOutcome.Timeout, grpc.Outcome);
    }

    [Fact]
    public async Task A_target_that_resets_the_connection_is_a_reset()
    {
        var r = await Probe(ProbeProtocol.Http1, targets.ResetPort, "/");
        Assert.Equal(ProbeOutcome.Reset, r.Outcome);
    }

    [Fact]
    public async Task An_unresolvable_host_is_a_DNS_failure()
    {
        var http = await Probe(ProbeProtocol.Http1, 80, "/", host: "no-such-target.invalid");
        Assert.Equal(ProbeOutcome.DnsFailure, http.Outcome);
        var tcp = await Probe(ProbeProtocol.Tcp, 80, host: "no-such-target.invalid");
        Assert.Equal(ProbeOutcome.DnsFailure, tcp.Outcome);
    }

    [Fact]
    public async Task Grpc_default_path_and_matcher_pass_on_UNIMPLEMENTED_as_on_ALB()
    {
        var r = await Probe(ProbeProtocol.Grpc, targets.H2cPort, "/AWS.ALB/healthcheck", "12");
        Assert.Equal((ProbeOutcome.Success, 12), (r.Outcome, r.Code));
    }

    [Fact]
    public async Task Grpc_health_v1_with_matcher_0_passes_when_SERVING_and_fails_when_NOT_SERVING()
    {
        targets.GrpcServing = true;
        var serving = await Probe(ProbeProtocol.Grpc, targets.H2cPort, "/grpc.health.v1.Health/Check", "0");
        Assert.Equal((ProbeOutcome.Success, 0), (serving.Outcome, serving.Code));

        var overTls = await Probe(ProbeProtocol.Grpc, targets.TlsPort, "/grpc.health.v1.Health/Check", "0", tls: true);
        Assert.Equal(ProbeOutcome.Success, overTls.Outcome);

        targets.GrpcServing = false;
        try
        {
            var notServing = await Probe(ProbeProtocol.Grpc, targets.H2cPort, "/grpc.health.v1.Health/Check", "0");
            Assert.Equal(ProbeOutcome.NotServing, notServing.Outcome);
            Assert.Contains("NotServing", notServing.Detail, StringComparison.Ordinal);
        }
        finally
        {
            targets.GrpcServing = true;
        }
    }

    [Fact]
    public async Task Grpc_health_v1_with_the_default_matcher_12_fails_with_code_0_and_a_hint()
    {
        var r = await Probe(ProbeProtocol.Grpc, targets.H2cPort, "/grpc.health.v1.Health/Check", "12");
        Assert.Equal((ProbeOutcome.WrongGrpcCode, 0), (r.Outcome, r.Code));
        var reason = Portolan.Health.Thresholds.HealthReason.Failure(r);
        Assert.Equal("Target.ResponseCodeMismatch", reason.Code);
        Assert.Contains("GrpcCode=0", reason.Description, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Grpc_to_a_closed_port_is_refused_and_to_an_HTTP1_port_is_not_a_pass()
    {
        var refused = await Probe(ProbeProtocol.Grpc, targets.ClosedPort, "/grpc.health.v1.Health/Check", "0");
        Assert.Equal(ProbeOutcome.Refused, refused.Outcome);
        var h1 = await Probe(ProbeProtocol.Grpc, targets.Http1Port, "/grpc.health.v1.Health/Check", "0");
        Assert.False(h1.Passed);
    }

    [Fact]
    public async Task No_address_fails_without_touching_the_network()
    {
        var r = await Probe(ProbeProtocol.Http1, 80, "/", host: "");
        Assert.Equal(ProbeOutcome.NoAddress, r.Outcome);
    }
}
