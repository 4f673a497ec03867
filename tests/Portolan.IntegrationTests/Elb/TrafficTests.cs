using System.Net;
using Grpc.Core;
using Grpc.Net.Client;
using Portolan.IntegrationTests.Elb.Traffic;
using Portolan.IntegrationTests.Elb.Traffic.Grpc;
using Portolan.IntegrationTests.Support;
using Portolan.Testing;

namespace Portolan.IntegrationTests.Elb;

/// <summary>
/// From the aws CLI to real traffic: a real <c>portolan serve</c>, load balancers, target groups, listeners, rules and
/// targets made with <c>aws elbv2</c>, real HTTP/1.1, h2c and gRPC servers as targets, and HttpClient (HTTP/1.1 and
/// HTTP/2 with prior knowledge) and Grpc.Net.Client as the users in front. One server for the class.
/// </summary>
public sealed class TrafficTests(TrafficServer fixture) : IClassFixture<TrafficServer>
{
    private Elb Elb => fixture.Elb;

    [Fact]
    public async Task Http1_http2_and_grpc_target_groups_carry_real_traffic()
    {
        var creating = fixture.CreateLoadBalancerAsync("carry"); // alongside the target groups: each aws run is a process start
        var groups = await Task.WhenAll(
            fixture.CreateTargetGroupAsync("carry-h1"),
            fixture.CreateTargetGroupAsync("carry-h2", "HTTP2"),
            fixture.CreateTargetGroupAsync("carry-grpc", "GRPC"));
        var (lb, h1, h2, grpc) = (await creating, groups[0], groups[1], groups[2]);
        await Task.WhenAll(fixture.RegisterAsync(h1, fixture.WebA), fixture.RegisterAsync(h2, fixture.H2), fixture.RegisterAsync(grpc, fixture.Grpc));
        var listeners = await Task.WhenAll(fixture.CreateListenerAsync(lb, h1), fixture.CreateListenerAsync(lb, grpc));
        var (web, rpc) = (listeners[0], listeners[1]);
        await Elb.OkAsync("create-rule", "--listener-arn", web.Arn, "--priority", "10",
            "--conditions", "Field=path-pattern,Values=/h2/*", "--actions", $"Type=forward,TargetGroupArn={h2}");

        // Each group's health checks speak its protocol: HTTP/1.1, h2c, and grpc.health.v1 over h2c.
        await fixture.WaitForHealthAsync(h1, fixture.WebA, "healthy/");
        await fixture.WaitForHealthAsync(h2, fixture.H2, "healthy/");
        await fixture.WaitForHealthAsync(grpc, fixture.Grpc, "healthy/");

        using var http1 = TrafficServer.Client();
        using var h2c = TrafficServer.Client(http2: true);
        var seen = await TrafficServer.SeenAsync(http1, web.Port, "/hello");
        Assert.Equal(("web-a", "HTTP/1.1", "/hello", "127.0.0.1"), (seen["server"], seen["protocol"], seen["path"], seen["xff"]));
        using (var response = await h2c.GetAsync(new Uri($"http://127.0.0.1:{web.Port}/hello")))
        {
            Assert.Equal(HttpVersion.Version20, response.Version);
            Assert.Contains("\"protocol\":\"HTTP/1.1\"", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal); // an HTTP1 group
        }

        // The rule sends /h2/* to the HTTP2 group, which reaches its target over h2c whatever the client spoke.
        await TrafficServer.UntilAsync(async () => (await TrafficServer.SeenAsync(http1, web.Port, "/h2/x"))["server"] == "h2", "the /h2/* rule");
        Assert.Equal("HTTP/2", (await TrafficServer.SeenAsync(http1, web.Port, "/h2/x"))["protocol"]);
        Assert.Equal("HTTP/2", (await TrafficServer.SeenAsync(h2c, web.Port, "/h2/y"))["protocol"]);

        using var channel = GrpcChannel.ForAddress($"http://127.0.0.1:{rpc.Port}");
        var client = new Echo.EchoClient(channel);
        var unary = await client.UnaryAsync(new EchoRequest { Message = "hi" });
        Assert.Equal(("hi", "grpc"), (unary.Message, unary.Server));

        using (var stream = client.ServerStream(new StreamRequest { Message = "s", Count = 5 }))
        {
            var messages = new List<string>();
            await foreach (var reply in stream.ResponseStream.ReadAllAsync()) messages.Add(reply.Message);
            Assert.Equal(["s-0", "s-1", "s-2", "s-3", "s-4"], messages);
        }

        using (var upload = client.ClientStream())
        {
            foreach (var part in new[] { "a", "b", "c" }) await upload.RequestStream.WriteAsync(new EchoRequest { Message = part });
            await upload.RequestStream.CompleteAsync();
            Assert.Equal("a,b,c", (await upload.ResponseAsync).Message);
        }

        using (var bidi = client.Bidi())
        {
            foreach (var word in new[] { "one", "two" })
            {
                await bidi.RequestStream.WriteAsync(new EchoRequest { Message = word });
                Assert.True(await bidi.ResponseStream.MoveNext(CancellationToken.None));
                Assert.Equal(word.ToUpperInvariant(), bidi.ResponseStream.Current.Message);
            }
            await bidi.RequestStream.CompleteAsync();
            Assert.False(await bidi.ResponseStream.MoveNext(CancellationToken.None));
        }

        // A status code and its trailers come back as the target sent them.
        using (var fail = client.FailAsync(new FailRequest { Code = (int)StatusCode.NotFound, Detail = "no such order" }))
        {
            var error = await Assert.ThrowsAsync<RpcException>(() => fail.ResponseAsync);
            Assert.Equal((StatusCode.NotFound, "no such order"), (error.StatusCode, error.Status.Detail));
            Assert.Equal("no such order", fail.GetTrailers().GetValue("x-detail-echo"));
        }

        // The deadline travels to the target (grpc-timeout) and ends the call there and here.
        var late = await Assert.ThrowsAsync<RpcException>(() =>
            client.SleepAsync(new SleepRequest { Milliseconds = 30_000 }, deadline: DateTime.UtcNow.AddMilliseconds(300)).ResponseAsync);
        Assert.Equal(StatusCode.DeadlineExceeded, late.StatusCode);
        Assert.Equal("awake", (await client.SleepAsync(new SleepRequest { Milliseconds = 1 }, deadline: DateTime.UtcNow.AddSeconds(30))).Message);

        // Requests are not logged one by one on the server's log (that is the access log's job, and a cost per request).
        Assert.DoesNotContain("Proxying to", fixture.Server.Process.StdErr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_listener_added_and_removed_at_runtime_leaves_the_others_serving()
    {
        var creating = fixture.CreateLoadBalancerAsync("runtime");
        var tg = await fixture.CreateTargetGroupAsync("runtime");
        var lb = await creating;
        await fixture.RegisterAsync(tg, fixture.WebA, fixture.WebB);
        var steady = await fixture.CreateListenerAsync(lb, tg);

        // Traffic on the steady listener over one keep-alive HTTP/1.1 connection and one h2c connection throughout.
        using var stop = new CancellationTokenSource();
        var traffic = Task.WhenAll(DriveAsync(http2: false), DriveAsync(http2: true));

        var added = await fixture.CreateListenerAsync(lb, tg);
        using (var client = TrafficServer.Client()) Assert.StartsWith("web-", (await TrafficServer.SeenAsync(client, added.Port))["server"], StringComparison.Ordinal);
        await Elb.OkAsync("delete-listener", "--listener-arn", added.Arn);
        await TrafficServer.UntilAsync(async () => !await TrafficServer.AcceptsAsync(added.Port), "the deleted listener's port to close");

        await stop.CancelAsync();
        var results = await traffic;
        foreach (var (ok, failures) in results)
        {
            Assert.True(ok > 0);
            Assert.Empty(failures);
        }
        var left = await Elb.OkAsync("describe-listeners", "--load-balancer-arn", lb);
        Assert.Equal([steady.Arn], left.Column("Listeners", "ListenerArn"));

        async Task<(int Ok, List<string> Failures)> DriveAsync(bool http2)
        {
            using var client = TrafficServer.Client(http2);
            var (ok, failures) = (0, new List<string>());
            for (var i = 0; i < 20_000 && (!stop.IsCancellationRequested || ok == 0); i++)
            {
                try
                {
                    using var response = await client.GetAsync(new Uri($"http://127.0.0.1:{steady.Port}/steady"));
                    if (response.StatusCode == HttpStatusCode.OK) ok++;
                    else failures.Add($"{(int)response.StatusCode}");
                }
                catch (HttpRequestException e)
                {
                    failures.Add(e.Message);
                }
                await Task.Delay(5); // a steady stream, not a load test
            }
            return (ok, failures);
        }
    }

    [Fact]
    public async Task Rules_made_with_the_cli_take_effect()
    {
        var creating = fixture.CreateLoadBalancerAsync("rules");
        var groups = await Task.WhenAll(fixture.CreateTargetGroupAsync("rules-a"), fixture.CreateTargetGroupAsync("rules-b"));
        var lb = await creating;
        var (a, b) = (groups[0], groups[1]);
        await Task.WhenAll(fixture.RegisterAsync(a, fixture.WebA), fixture.RegisterAsync(b, fixture.WebB));
        var listener = await fixture.CreateListenerAsync(lb, a);

        await Elb.OkAsync("create-rule", "--listener-arn", listener.Arn, "--priority", "10",
            "--conditions", "Field=path-pattern,Values=/maintenance/*",
            "--actions", "Type=fixed-response,FixedResponseConfig={StatusCode=503,ContentType=text/plain,MessageBody=back soon}");
        var split = (await Elb.OkAsync("create-rule", "--listener-arn", listener.Arn, "--priority", "30",
            "--conditions", "Field=path-pattern,Values=/split/*",
            "--actions", WeightedForward((a, 1), (b, 1))))
            .GetProperty("Rules")[0].Str("RuleArn");
        await Elb.OkAsync("create-rule", "--listener-arn", listener.Arn, "--priority", "20",
            "--conditions", "Field=host-header,Values=api.example.com", "--actions", $"Type=forward,TargetGroupArn={b}");

        using var client = TrafficServer.Client();
        // Rules reach the data plane in the order they were made: once the last one works, all do.
        await TrafficServer.UntilAsync(async () => (await TrafficServer.SeenAsync(client, listener.Port, "/", "api.example.com"))["server"] == "web-b", "the host-header rule");

        using (var maintenance = await client.GetAsync(new Uri($"http://127.0.0.1:{listener.Port}/maintenance/today")))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, maintenance.StatusCode);
            Assert.Equal("text/plain", maintenance.Content.Headers.ContentType?.MediaType);
            Assert.Equal("back soon", await maintenance.Content.ReadAsStringAsync());
        }
        Assert.Equal("web-a", (await TrafficServer.SeenAsync(client, listener.Port, "/"))["server"]);
        Assert.Equal("web-b", (await TrafficServer.SeenAsync(client, listener.Port, "/anything", "api.example.com"))["server"]);

        var servers = new HashSet<string?>();
        for (var i = 0; i < 40; i++) servers.Add((await TrafficServer.SeenAsync(client, listener.Port, "/split/x"))["server"]);
        Assert.Equal(["web-a", "web-b"], servers.Order());

        // Weight 0 takes a group out of the split; the rule's new path shows when the change is in force.
        await Elb.OkAsync("modify-rule", "--rule-arn", split, "--conditions", "Field=path-pattern,Values=/only-b/*",
            "--actions", WeightedForward((a, 0), (b, 1)));
        await TrafficServer.UntilAsync(async () => (await TrafficServer.SeenAsync(client, listener.Port, "/only-b/x"))["server"] == "web-b", "the modified rule");
        for (var i = 0; i < 20; i++) Assert.Equal("web-b", (await TrafficServer.SeenAsync(client, listener.Port, "/only-b/x"))["server"]);
    }

    /// <summary>A forward action over weighted target groups, as the CLI's JSON form of <c>--actions</c>.</summary>
    private static string WeightedForward(params (string Arn, int Weight)[] groups) => System.Text.Json.JsonSerializer.Serialize(new[]
    {
        new { Type = "forward", ForwardConfig = new { TargetGroups = groups.Select(g => new { TargetGroupArn = g.Arn, g.Weight }) } },
    });

    [Fact]
    public async Task A_deregistered_target_finishes_its_request_in_flight_and_gets_no_new_ones()
    {
        await using var draining = await Backend.StartAsync("draining");
        await using var next = await Backend.StartAsync("next");
        var creating = fixture.CreateLoadBalancerAsync("drain");
        var tg = await fixture.CreateTargetGroupAsync("drain");
        var lb = await creating;
        await fixture.RegisterAsync(tg, draining);
        var listener = await fixture.CreateListenerAsync(lb, tg);

        using var holder = TrafficServer.Client();
        var inFlight = holder.GetAsync(new Uri($"http://127.0.0.1:{listener.Port}/hold"));
        await draining.Held.Task.WaitAsync(TimeSpan.FromSeconds(30));

        await Elb.OkAsync("deregister-targets", "--target-group-arn", tg, "--targets", draining.Target);
        Assert.Equal("draining/Target.DeregistrationInProgress", (await fixture.HealthAsync(tg))[draining.Port]);
        await fixture.RegisterAsync(tg, next);

        // Once the target registered after the deregistration serves, the deregistration is in force too.
        using var client = TrafficServer.Client();
        await TrafficServer.UntilAsync(async () => await ServerAsync() == "next", "the new target to serve");
        var served = draining.Served;
        for (var i = 0; i < 20; i++) Assert.Equal("next", await ServerAsync());
        Assert.Equal(served, draining.Served);

        draining.Release.SetResult();
        using var finished = await inFlight;
        Assert.Equal(HttpStatusCode.OK, finished.StatusCode);
        Assert.Equal("held by draining", await finished.Content.ReadAsStringAsync());
        // The 300 s delay shows to its end, as on AWS, though the target's connections closed once it was idle.
        Assert.Equal("draining/Target.DeregistrationInProgress", (await fixture.HealthAsync(tg))[draining.Port]);

        async Task<string?> ServerAsync()
        {
            using var response = await client.GetAsync(new Uri($"http://127.0.0.1:{listener.Port}/"));
            return response.StatusCode == HttpStatusCode.OK
                ? System.Text.Json.JsonSerializer.Deserialize<Dictionary<string, string?>>(await response.Content.ReadAsStringAsync())!["server"]
                : null;
        }
    }

    [Fact]
    public async Task Target_health_goes_initial_then_healthy_and_unhealthy_when_the_target_stops()
    {
        await using var fresh = await Backend.StartAsync("fresh");
        fresh.HoldHealthChecks();
        var lb = await fixture.CreateLoadBalancerAsync("health");
        // A long unhealthy run at first, so the held first checks cannot end in a verdict.
        var tg = await fixture.CreateTargetGroupAsync("health", "HTTP1", "--health-check-interval-seconds", "5", "--health-check-timeout-seconds", "4",
            "--healthy-threshold-count", "2", "--unhealthy-threshold-count", "10");
        await fixture.RegisterAsync(tg, fixture.WebA);
        var listener = await fixture.CreateListenerAsync(lb, tg);
        await fixture.WaitForHealthAsync(tg, fixture.WebA, "healthy/");

        await fixture.RegisterAsync(tg, fresh);
        await fixture.WaitForHealthAsync(tg, fresh, "initial/Elb.InitialHealthChecking");
        var described = (await Elb.OkAsync("describe-target-health", "--target-group-arn", tg, "--targets", fresh.Target))
            .GetProperty("TargetHealthDescriptions")[0].GetProperty("TargetHealth");
        Assert.Equal("Initial health checks in progress", described.Str("Description"));

        // A target still in its first checks gets no traffic while the group has a healthy one.
        using var client = TrafficServer.Client();
        for (var i = 0; i < 10; i++) Assert.Equal("web-a", (await TrafficServer.SeenAsync(client, listener.Port))["server"]);
        Assert.Equal(0, fresh.Served);

        fresh.PassHealthChecks();
        await fixture.WaitForHealthAsync(tg, fresh, "healthy/");
        await TrafficServer.UntilAsync(async () => (await TrafficServer.SeenAsync(client, listener.Port))["server"] == "fresh", "the healthy target to get traffic");

        // Stopped, the target fails its checks (two now) and leaves the rotation: no request reaches it, none fails.
        await Elb.OkAsync("modify-target-group", "--target-group-arn", tg, "--unhealthy-threshold-count", "2");
        await fresh.DisposeAsync();
        var health = await fixture.WaitForHealthAsync(tg, fresh, "unhealthy/Target.FailedHealthChecks");
        Assert.Equal("healthy/", health[fixture.WebA.Port]);
        // Round robin over two candidates alternates, so one good answer means the stopped target is out.
        await TrafficServer.UntilAsync(async () => await StatusAsync() == HttpStatusCode.OK, "the stopped target to leave the rotation");
        for (var i = 0; i < 10; i++) Assert.Equal("web-a", (await TrafficServer.SeenAsync(client, listener.Port))["server"]);

        async Task<HttpStatusCode> StatusAsync()
        {
            using var response = await client.GetAsync(new Uri($"http://127.0.0.1:{listener.Port}/"));
            return response.StatusCode;
        }
    }

    [Fact]
    public async Task No_target_is_a_503_and_a_refused_connection_a_502()
    {
        var creating = fixture.CreateLoadBalancerAsync("errors");
        var tg = await fixture.CreateTargetGroupAsync("errors");
        var lb = await creating;
        var listener = await fixture.CreateListenerAsync(lb, tg);
        var url = new Uri($"http://127.0.0.1:{listener.Port}/");

        foreach (var http2 in new[] { false, true })
        {
            using var client = TrafficServer.Client(http2);
            using var response = await client.GetAsync(url);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
            Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
            Assert.Contains("<h1>503 Service Temporarily Unavailable</h1>", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        // A target nothing listens on: the connection is refused, ALB's 502 (the group fails open to it, healthy or not).
        await Elb.OkAsync("register-targets", "--target-group-arn", tg, "--targets", $"Id=127.0.0.1,Port={FreePorts.Next()}");
        using (var client = TrafficServer.Client())
        {
            await TrafficServer.UntilAsync(async () =>
            {
                using var response = await client.GetAsync(url);
                return response.StatusCode != HttpStatusCode.ServiceUnavailable;
            }, "the target to be registered");
        }
        foreach (var http2 in new[] { false, true })
        {
            using var client = TrafficServer.Client(http2);
            using var response = await client.GetAsync(url);
            Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
            Assert.Contains("<h1>502 Bad Gateway</h1>", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }
    }
}
