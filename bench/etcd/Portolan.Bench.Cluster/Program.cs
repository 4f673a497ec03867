using System.Buffers.Binary;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;

namespace Portolan.Bench;

/// <summary>
/// portolan-bench-cluster: the cluster measurements of bench/etcd/run.sh. Targets only the URLs and DNS
/// ports it is given (the script passes 127.0.0.1 only); every run is a fixed count of operations.
/// </summary>
internal static class Program
{
    private const string Usage = """
        usage:
          portolan-bench-cluster setup --url URL --zone ZONE --service NAME
              Creates the private DNS namespace ZONE and a MULTIVALUE A service NAME in it. Prints service-id=.
          portolan-bench-cluster register --url URL --service-id ID --count N [--concurrency 64]
              N RegisterInstance calls (each durable before answered), C at a time. Prints count=, seconds=, rate=.
          portolan-bench-cluster latency --url URL --dns PORT --service-id ID --name NAME [--samples 200]
              One at a time: RegisterInstance through URL with a new address, then query A NAME on 127.0.0.1:PORT
              (another node) every 0.5 ms until the address is in the answer. Prints the distribution (ms) from
              sending the write and from its acknowledgement to the first answer that has it.
          portolan-bench-cluster tasks-setup --url URL --cluster NAME --count N
              Creates ECS cluster NAME and a service "web" of N sleep tasks; waits until all run. Prints placed=INSTANCE:COUNT,...
          portolan-bench-cluster tasks-failover --url URL --cluster NAME --lost INSTANCE --count N
              Polls every 50 ms until the tasks of INSTANCE are STOPPED and N tasks run elsewhere. Prints
              stopped_unix_ms=, running_unix_ms= and pids= (every task process seen, for the caller to clean up).
        """;

    public static async Task<int> Main(string[] args)
    {
        if (args.Length == 0)
        {
            Console.Error.WriteLine(Usage);
            return 2;
        }

        var o = Parse(args.AsSpan(1));
        var url = new Uri(o["url"]);
        switch (args[0])
        {
            case "setup":
                using (var client = new CloudMapClient(url, 4))
                {
                    var created = await client.CallAsync("CreatePrivateDnsNamespace", new JsonObject { ["Name"] = o["zone"], ["Vpc"] = "vpc-bench" });
                    var operation = await client.CallAsync("GetOperation", new JsonObject { ["OperationId"] = created!["OperationId"]!.GetValue<string>() });
                    var ns = operation!["Operation"]!["Targets"]!["NAMESPACE"]!.GetValue<string>();
                    var service = await client.CallAsync("CreateService", new JsonObject
                    {
                        ["Name"] = o["service"],
                        ["DnsConfig"] = new JsonObject
                        {
                            ["NamespaceId"] = ns,
                            ["RoutingPolicy"] = "MULTIVALUE",
                            ["DnsRecords"] = new JsonArray(new JsonObject { ["Type"] = "A", ["TTL"] = 1 }),
                        },
                    });
                    Console.Out.WriteLine($"service-id={service!["Service"]!["Id"]!.GetValue<string>()}");
                    return 0;
                }

            case "register":
                return await RegisterAsync(url, o["service-id"], Int(o, "count", 1000), Int(o, "concurrency", 64));
            case "latency":
                return await LatencyAsync(url, Int(o, "dns", 0), o["service-id"], o["name"], Int(o, "samples", 200));
            case "tasks-setup":
                return await TaskFailover.SetupAsync(url, o["cluster"], Int(o, "count", 4));
            case "tasks-failover":
                return await TaskFailover.FailoverAsync(url, o["cluster"], o["lost"], Int(o, "count", 4));
            default:
                Console.Error.WriteLine(Usage);
                return 2;
        }
    }

    private static async Task<int> RegisterAsync(Uri url, string serviceId, int count, int concurrency)
    {
        using var client = new CloudMapClient(url, concurrency);
        var next = -1;
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(_ => Task.Run(async () =>
        {
            int n;
            while ((n = Interlocked.Increment(ref next)) < count)
            {
                await client.RegisterInstanceAsync(serviceId, $"r-{n:D6}", CloudMapClient.Ipv4(n));
            }
        })));
        var seconds = clock.Elapsed.TotalSeconds;
        Console.Out.WriteLine(FormattableString.Invariant($"count={count}"));
        Console.Out.WriteLine(FormattableString.Invariant($"seconds={seconds:F2}"));
        Console.Out.WriteLine(FormattableString.Invariant($"rate={count / seconds:F0}"));
        return 0;
    }

    private static async Task<int> LatencyAsync(Uri url, int dnsPort, string serviceId, string name, int samples)
    {
        using var client = new CloudMapClient(url, 1);
        using var dns = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        dns.Connect(new IPEndPoint(IPAddress.Loopback, dnsPort));
        var fromSend = new List<double>(samples);
        var fromAck = new List<double>(samples);
        var buffer = new byte[4096];
        for (var i = 0; i < samples; i++)
        {
            // Only one instance at a time: a MULTIVALUE answer holds at most 8 addresses.
            var address = $"172.16.{(i >> 8) & 255}.{i & 255}";
            var expected = IPAddress.Parse(address).GetAddressBytes();
            var sent = Stopwatch.GetTimestamp();
            await client.RegisterInstanceAsync(serviceId, "probe", address);
            var acked = Stopwatch.GetTimestamp();
            var deadline = acked + (10 * Stopwatch.Frequency);
            while (!await AnswersAsync(dns, name, (ushort)i, expected, buffer))
            {
                if (Stopwatch.GetTimestamp() > deadline)
                {
                    Console.Error.WriteLine($"sample {i}: {address} not answered within 10 s");
                    return 1;
                }

                await Task.Delay(TimeSpan.FromMilliseconds(0.5));
            }

            var seen = Stopwatch.GetTimestamp();
            fromSend.Add(Stopwatch.GetElapsedTime(sent, seen).TotalMilliseconds);
            fromAck.Add(Stopwatch.GetElapsedTime(acked, seen).TotalMilliseconds);
        }

        Report("write_to_dns_ms", fromSend);
        Report("ack_to_dns_ms", fromAck);
        return 0;
    }

    /// <summary>One A query; true when the answer section holds <paramref name="expected"/>.</summary>
    private static async Task<bool> AnswersAsync(Socket socket, string name, ushort id, byte[] expected, byte[] buffer)
    {
        var query = new byte[512];
        BinaryPrimitives.WriteUInt16BigEndian(query, id);
        BinaryPrimitives.WriteUInt16BigEndian(query.AsSpan(4), 1); // QDCOUNT
        var at = 12;
        foreach (var label in name.TrimEnd('.').Split('.'))
        {
            query[at++] = (byte)label.Length;
            at += Encoding.ASCII.GetBytes(label, query.AsSpan(at));
        }

        query[at++] = 0;
        BinaryPrimitives.WriteUInt16BigEndian(query.AsSpan(at), 1); // A
        BinaryPrimitives.WriteUInt16BigEndian(query.AsSpan(at + 2), 1); // IN
        await socket.SendAsync(query.AsMemory(0, at + 4));
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(1));
        int length;
        try
        {
            length = await socket.ReceiveAsync(buffer, timeout.Token);
        }
        catch (OperationCanceledException)
        {
            return false;
        }

        // The address bytes as the RDATA of an A record: a 4-byte run after "type A, class IN, TTL, RDLENGTH 4".
        var reply = buffer.AsSpan(0, length);
        for (var i = 12; i + 4 <= reply.Length; i++)
        {
            if (reply.Slice(i, 4).SequenceEqual(expected) && i >= 2 && reply[i - 1] == 4 && reply[i - 2] == 0) return true;
        }

        return false;
    }

    private static void Report(string metric, List<double> values)
    {
        values.Sort();
        double P(double q) => values[Math.Min(values.Count - 1, (int)Math.Ceiling(q * values.Count) - 1)];
        Console.Out.WriteLine(FormattableString.Invariant(
            $"{metric}: n={values.Count} min={values[0]:F1} p50={P(0.50):F1} p90={P(0.90):F1} p99={P(0.99):F1} max={values[^1]:F1} mean={values.Average():F1}"));
    }

    private static Dictionary<string, string> Parse(ReadOnlySpan<string> args)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            values[args[i].TrimStart('-')] = args[i + 1];
        }

        return values;
    }

    private static int Int(Dictionary<string, string> o, string name, int fallback) =>
        o.TryGetValue(name, out var v) ? int.Parse(v, CultureInfo.InvariantCulture) : fallback;
}
