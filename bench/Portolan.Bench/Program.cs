using System.Diagnostics;
using System.Globalization;

namespace Portolan.Bench;

/// <summary>
/// portolan-bench: the setup and timing steps of bench/run-foundation.sh that wrk cannot express.
/// Every command targets a server the caller names (bench/run-foundation.sh only ever passes 127.0.0.1),
/// does a fixed amount of work and exits. Results go to stdout as <c>key=value</c> lines.
/// </summary>
internal static class Program
{
    private const string Usage = """
        usage:
          portolan-bench setup-throughput --url URL [--namespace bench] [--register-services 10] [--discover-instances 100]
              Creates the HTTP namespace, services reg0..regN-1 (targets of the RegisterInstance load) and the
              service disc<M> holding M instances (target of the DiscoverInstances load).
              Prints: register-services=<id> <id> ...
          portolan-bench load --url URL [--namespace bench100k] [--namespace-type HTTP|DNS_PRIVATE] [--services 100]
                             [--instances 100000] [--concurrency 64]
              Creates the namespace and services svc000.. (in a DNS namespace with A and SRV records) and registers
              the instances round-robin over them (each RegisterInstance is durable before it is answered).
              Prints loaded=, seconds=, rate=.
          portolan-bench coldstart --url URL --namespace NS --service SVC [--timeout 60] [--settle 3] -- COMMAND ARGS...
              Starts COMMAND (e.g. portolan serve ... on the URL's port), and times: process start -> 'ready' on its
              stdout, and process start -> first 200 DiscoverInstances answer with instances (polled every 2 ms).
              Reads VmRSS/VmHWM from /proc/PID/status then and after --settle seconds, then stops it with SIGTERM.
              Prints: ready_ms=, first_discover_ms=, rss_kib=, rss_settled_kib=, hwm_kib=.
          portolan-bench dns-setup --url URL --zone FILE [--concurrency 16]
              Registers the services and instances of a zone file written by bench/peers/dns-peers.sh setup: a private
              DNS namespace named after $ORIGIN, a MULTIVALUE service (A + SRV, TTL from $TTL) per SRV owner, an
              instance per SRV target with the target's address and the SRV port.
          portolan-bench dns-propagation --url URL --dns HOST:PORT [--namespace domaina] [--service propagation] [--samples 200] [--csv FILE]
              Per sample: RegisterInstance, UpdateInstanceCustomHealthStatus UNHEALTHY, HEALTHY, DeregisterInstance; after
              each call returns, polls the service's A records over UDP until the answer shows the change. Prints the
              delay distribution per change; exits 1 if a change was not visible within 5 s.
        """;

    public static async Task<int> Main(string[] args)
    {
        if (args.Length == 0 || args[0] is "-h" or "--help")
        {
            Console.Out.WriteLine(Usage);
            return args.Length == 0 ? 2 : 0;
        }

        try
        {
            var options = Options.Parse(args.AsSpan(1));
            return args[0] switch
            {
                "setup-throughput" => await SetupThroughputAsync(options),
                "load" => await LoadAsync(options),
                "coldstart" => await ColdStartAsync(options),
                "dns-setup" => await DnsCommands.SetupAsync(options),
                "dns-propagation" => await DnsCommands.PropagationAsync(options),
                _ => Fail($"unknown command '{args[0]}'"),
            };
        }
        catch (ArgumentException e)
        {
            return Fail(e.Message);
        }
    }

    private static int Fail(string message)
    {
        Console.Error.WriteLine($"portolan-bench: {message}");
        Console.Error.WriteLine(Usage);
        return 2;
    }

    private static async Task<int> SetupThroughputAsync(Options o)
    {
        using var client = new CloudMapClient(o.Url, 8);
        var nsName = o.Get("namespace", "bench");
        var registerServices = o.GetInt("register-services", 10);
        var discoverInstances = o.GetInt("discover-instances", 100);

        var ns = await client.EnsureHttpNamespaceAsync(nsName);
        var ids = new List<string>();
        for (var i = 0; i < registerServices; i++)
        {
            ids.Add(await client.EnsureServiceAsync(ns, $"reg{i}"));
        }

        var disc = await client.EnsureServiceAsync(ns, $"disc{discoverInstances}");
        await Parallel.ForAsync(0, discoverInstances, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, ct) =>
            await client.RegisterInstanceAsync(disc, $"d-{i}", CloudMapClient.Ipv4(i), ct));

        var reply = await client.CallAsync("DiscoverInstances", new System.Text.Json.Nodes.JsonObject
        {
            ["NamespaceName"] = nsName, ["ServiceName"] = $"disc{discoverInstances}", ["MaxResults"] = 1000,
        });
        var found = reply?["Instances"]?.AsArray().Count ?? 0;
        if (found != discoverInstances)
        {
            throw new InvalidOperationException($"disc{discoverInstances} answers {found} instances, expected {discoverInstances}.");
        }

        Console.Out.WriteLine($"namespace-id={ns}");
        Console.Out.WriteLine($"discover-service=disc{discoverInstances}");
        Console.Out.WriteLine($"register-services={string.Join(' ', ids)}");
        return 0;
    }

    private static async Task<int> LoadAsync(Options o)
    {
        var nsName = o.Get("namespace", "bench100k");
        var serviceCount = o.GetInt("services", 100);
        var instances = o.GetInt("instances", 100_000);
        var concurrency = o.GetInt("concurrency", 64);
        var dns = o.Get("namespace-type", "HTTP") switch
        {
            "HTTP" => false,
            "DNS_PRIVATE" => true,
            var other => throw new ArgumentException($"--namespace-type is HTTP or DNS_PRIVATE, not '{other}'"),
        };
        using var client = new CloudMapClient(o.Url, concurrency);

        // A DNS namespace gets services with A and SRV records, so every instance has DNS names too.
        var ns = dns ? await client.EnsureDnsNamespaceAsync(nsName, 60) : await client.EnsureHttpNamespaceAsync(nsName);
        var services = new string[serviceCount];
        for (var i = 0; i < serviceCount; i++)
        {
            services[i] = await client.EnsureServiceAsync(ns, ServiceName(i), dns ? DnsCommands.DnsConfig(60, "A", "SRV") : null);
        }

        var clock = Stopwatch.StartNew();
        var next = -1;
        var workers = Enumerable.Range(0, concurrency).Select(_ => Task.Run(async () =>
        {
            int n;
            while ((n = Interlocked.Increment(ref next)) < instances)
            {
                await client.RegisterInstanceAsync(services[n % serviceCount], $"i-{n:D6}", CloudMapClient.Ipv4(n));
            }
        }));
        await Task.WhenAll(workers);
        var seconds = clock.Elapsed.TotalSeconds;

        Console.Out.WriteLine($"loaded={instances}");
        Console.Out.WriteLine(FormattableString.Invariant($"seconds={seconds:F1}"));
        Console.Out.WriteLine(FormattableString.Invariant($"rate={instances / seconds:F0}"));
        Console.Out.WriteLine($"discover-service={ServiceName(0)}");
        return 0;
    }

    private static string ServiceName(int i) => $"svc{i:D3}";

    private static async Task<int> ColdStartAsync(Options o)
    {
        if (o.Command.Count == 0)
        {
            throw new ArgumentException("coldstart needs the server command after --");
        }

        var nsName = o.Get("namespace");
        var service = o.Get("service");
        var timeout = TimeSpan.FromSeconds(o.GetInt("timeout", 60));
        var settle = TimeSpan.FromSeconds(o.GetInt("settle", 3));
        using var client = new CloudMapClient(o.Url, 1);

        var start = new ProcessStartInfo(o.Command[0])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in o.Command.Skip(1))
        {
            start.ArgumentList.Add(arg);
        }

        using var deadline = new CancellationTokenSource(timeout);
        var clock = Stopwatch.StartNew();
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {o.Command[0]}");
        process.ErrorDataReceived += static (_, _) => { };
        process.BeginErrorReadLine();
        try
        {
            var ready = WaitForReadyAsync(process, clock, deadline.Token);
            var first = WaitForDiscoverAsync(client, nsName, service, clock, deadline.Token);
            var readyMs = await ready;
            var firstMs = await first;
            var (rss, _) = ReadMemory(process.Id);
            await Task.Delay(settle);
            var (settled, hwm) = ReadMemory(process.Id);

            Console.Out.WriteLine(FormattableString.Invariant($"pid={process.Id}"));
            Console.Out.WriteLine(FormattableString.Invariant($"ready_ms={readyMs:F0}"));
            Console.Out.WriteLine(FormattableString.Invariant($"first_discover_ms={firstMs:F0}"));
            Console.Out.WriteLine(FormattableString.Invariant($"rss_kib={rss}"));
            Console.Out.WriteLine(FormattableString.Invariant($"rss_settled_kib={settled}"));
            Console.Out.WriteLine(FormattableString.Invariant($"hwm_kib={hwm}"));
            return 0;
        }
        catch (OperationCanceledException)
        {
            Console.Error.WriteLine($"portolan-bench: the server did not answer within {timeout.TotalSeconds} s");
            return 1;
        }
        finally
        {
            await StopAsync(process);
        }
    }

    private static async Task<double> WaitForReadyAsync(Process process, Stopwatch clock, CancellationToken ct)
    {
        while (await process.StandardOutput.ReadLineAsync(ct) is { } line)
        {
            if (line == "ready")
            {
                var ms = clock.Elapsed.TotalMilliseconds;
                // Keep draining stdout so the server never blocks on a full pipe.
                _ = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
                return ms;
            }
        }

        throw new InvalidOperationException($"the server exited (code {(process.HasExited ? process.ExitCode : -1)}) before printing 'ready'");
    }

    private static async Task<double> WaitForDiscoverAsync(CloudMapClient client, string nsName, string service, Stopwatch clock, CancellationToken ct)
    {
        var body = CloudMapClient.DiscoverBody(nsName, service);
        while (true)
        {
            ct.ThrowIfCancellationRequested();
            try
            {
                var (status, reply) = await client.TryCallAsync("DiscoverInstances", body, ct);
                if (status == 200 && CloudMapClient.HasInstances(reply))
                {
                    return clock.Elapsed.TotalMilliseconds;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            await Task.Delay(2, ct);
        }
    }

    /// <summary>VmRSS and VmHWM of <paramref name="pid"/> in KiB.</summary>
    public static (long Rss, long Hwm) ReadMemory(int pid)
    {
        long rss = 0, hwm = 0;
        foreach (var line in File.ReadLines($"/proc/{pid}/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal)) rss = Kib(line);
            else if (line.StartsWith("VmHWM:", StringComparison.Ordinal)) hwm = Kib(line);
        }

        return (rss, hwm);

        static long Kib(string line) =>
            long.Parse(line.AsSpan(6).Trim().TrimEnd("kB").Trim(), CultureInfo.InvariantCulture);
    }

    private static async Task StopAsync(Process process)
    {
        if (process.HasExited)
        {
            return;
        }

        // SIGTERM asks portolan for its graceful stop; kill it if that takes too long.
        using (var kill = Process.Start("kill", ["-TERM", process.Id.ToString(CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync();
        }

        using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        try
        {
            await process.WaitForExitAsync(grace.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
    }
}

/// <summary><c>--name value</c> pairs, then an optional <c>-- command args...</c>.</summary>
internal sealed class Options
{
    private readonly Dictionary<string, string> _values = new(StringComparer.Ordinal);

    public List<string> Command { get; } = [];

    public Uri Url => new(Get("url"));

    public static Options Parse(ReadOnlySpan<string> args)
    {
        var o = new Options();
        for (var i = 0; i < args.Length; i++)
        {
            if (args[i] == "--")
            {
                o.Command.AddRange(args[(i + 1)..]);
                break;
            }

            if (!args[i].StartsWith("--", StringComparison.Ordinal) || i + 1 >= args.Length)
            {
                throw new ArgumentException($"expected --name value, got '{args[i]}'");
            }

            o._values[args[i][2..]] = args[++i];
        }

        return o;
    }

    public string Get(string name, string? fallback = null) =>
        _values.TryGetValue(name, out var v) ? v : fallback ?? throw new ArgumentException($"--{name} is required");

    public int GetInt(string name, int fallback) =>
        _values.TryGetValue(name, out var v)
            ? int.TryParse(v, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) && n >= 0 ? n : throw new ArgumentException($"--{name} wants a number, got '{v}'")
            : fallback;
}
