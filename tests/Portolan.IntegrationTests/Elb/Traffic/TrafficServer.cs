using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Portolan.IntegrationTests.Support;
using Portolan.Testing;

namespace Portolan.IntegrationTests.Elb.Traffic;

/// <summary>
/// One real <c>portolan serve</c> (<see cref="ElbServer"/>) and the real targets the traffic tests share: two
/// HTTP/1.1 servers, one h2c server and one gRPC server. Every load-balancer resource is made with the real
/// <c>aws elbv2</c> CLI; each test makes its own load balancer on free ports, so tests stay independent.
/// </summary>
public sealed class TrafficServer : IAsyncLifetime
{
    public ElbServer Server { get; } = new();
    public Backend WebA { get; private set; } = null!;
    public Backend WebB { get; private set; } = null!;
    public Backend H2 { get; private set; } = null!;
    public Backend Grpc { get; private set; } = null!;

    public Elb Elb => Server.Elb;

    public async Task InitializeAsync()
    {
        var server = Server.InitializeAsync();
        WebA = await Backend.StartAsync("web-a");
        WebB = await Backend.StartAsync("web-b");
        H2 = await Backend.StartAsync("h2", http2: true);
        Grpc = await Backend.StartAsync("grpc", grpc: true);
        await server;
    }

    public async Task DisposeAsync()
    {
        await Server.DisposeAsync();
        foreach (var backend in new[] { WebA, WebB, H2, Grpc }) await backend.DisposeAsync();
    }

    public async Task<string> CreateLoadBalancerAsync(string prefix) =>
        (await Elb.OkAsync("create-load-balancer", "--name", ElbServer.Unique(prefix), "--subnets", "subnet-1", "subnet-2"))
            .GetProperty("LoadBalancers")[0].Str("LoadBalancerArn");

    /// <summary>An HTTP target group of ip targets (<paramref name="version"/> HTTP1, HTTP2 or GRPC); <paramref name="extra"/> adds options.</summary>
    public async Task<string> CreateTargetGroupAsync(string prefix, string version = "HTTP1", params string[] extra) =>
        (await Elb.OkAsync(["create-target-group", "--name", ElbServer.Unique(prefix), "--protocol", "HTTP", "--protocol-version", version,
            "--port", "80", "--vpc-id", "vpc-1", "--target-type", "ip", "--health-check-path", version == "GRPC" ? "/grpc.health.v1.Health/Check" : "/health",
            .. version == "GRPC" ? new[] { "--matcher", "GrpcCode=0" } : [], .. extra]))
            .GetProperty("TargetGroups")[0].Str("TargetGroupArn");

    /// <summary>An HTTP listener on a free port forwarding to <paramref name="targetGroupArn"/>; returns once the port serves.</summary>
    public async Task<(string Arn, int Port)> CreateListenerAsync(string loadBalancerArn, string targetGroupArn)
    {
        var port = FreePorts.Next();
        var listener = await Elb.OkAsync("create-listener", "--load-balancer-arn", loadBalancerArn, "--protocol", "HTTP",
            "--port", port.ToString(CultureInfo.InvariantCulture), "--default-actions", $"Type=forward,TargetGroupArn={targetGroupArn}");
        await UntilAsync(() => AcceptsAsync(port), $"listener on port {port} to accept connections");
        return (listener.GetProperty("Listeners")[0].Str("ListenerArn"), port);
    }

    public Task RegisterAsync(string targetGroupArn, params Backend[] backends) =>
        Elb.OkAsync(["register-targets", "--target-group-arn", targetGroupArn, "--targets", .. backends.Select(b => b.Target)]);

    /// <summary><c>describe-target-health</c> as <c>port=state/reason</c>, ordered by port.</summary>
    public async Task<Dictionary<int, string>> HealthAsync(string targetGroupArn) =>
        (await Elb.OkAsync("describe-target-health", "--target-group-arn", targetGroupArn))
            .GetProperty("TargetHealthDescriptions").EnumerateArray()
            .ToDictionary(
                d => d.GetProperty("Target").GetProperty("Port").GetInt32(),
                d => $"{d.GetProperty("TargetHealth").Str("State")}/{d.GetProperty("TargetHealth").OptStr("Reason")}");

    /// <summary>Polls <c>describe-target-health</c> until <paramref name="backend"/> is in <paramref name="state"/> (e.g. <c>healthy/</c>).</summary>
    public async Task<Dictionary<int, string>> WaitForHealthAsync(string targetGroupArn, Backend backend, string state)
    {
        Dictionary<int, string> last = [];
        await UntilAsync(async () =>
        {
            last = await HealthAsync(targetGroupArn);
            return last.TryGetValue(backend.Port, out var seen) && seen == state;
        }, () => $"{backend.Name} to be {state}; last: {string.Join(", ", last.Select(p => $"{p.Key}={p.Value}"))}");
        return last;
    }

    /// <summary>Whether something accepts TCP connections on the loopback port.</summary>
    public static async Task<bool> AcceptsAsync(int port)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port));
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    public static Task UntilAsync(Func<Task<bool>> condition, string what) => UntilAsync(condition, () => what);

    /// <summary>Polls a condition over the real server; fails after 60 s (a bound, never a timing assertion).</summary>
    public static async Task UntilAsync(Func<Task<bool>> condition, Func<string> what)
    {
        var clock = Stopwatch.StartNew();
        while (!await condition())
        {
            if (clock.Elapsed > TimeSpan.FromSeconds(60)) Assert.Fail($"Timed out waiting for {what()}.");
            await Task.Delay(50);
        }
    }

    /// <summary>HttpClients as users have them: HTTP/1.1, or HTTP/2 with prior knowledge (h2c).</summary>
    public static HttpClient Client(bool http2 = false) => new(new SocketsHttpHandler { UseCookies = false, AllowAutoRedirect = false, UseProxy = false })
    {
        DefaultRequestVersion = http2 ? HttpVersion.Version20 : HttpVersion.Version11,
        DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
        Timeout = TimeSpan.FromSeconds(30),
    };

    /// <summary>GET <paramref name="path"/> and the backend's JSON account of it (who served it, over what).</summary>
    public static async Task<Dictionary<string, string?>> SeenAsync(HttpClient client, int port, string path = "/", string? host = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"http://127.0.0.1:{port}{path}");
        if (host is not null) request.Headers.Host = host;
        using var response = await client.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"GET {path}: {(int)response.StatusCode} {body}");
        return JsonSerializer.Deserialize<Dictionary<string, string?>>(body)!;
    }
}
